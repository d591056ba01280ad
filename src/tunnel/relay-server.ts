/**
 * The relay: a public HTTP server whose every channel is backed by one WebSocket from a
 * `listen --relay` client. A request to `/<channel>/…` is framed (raw body bytes untouched),
 * sent to that channel's client, and the sender gets the client's real answer — status, headers
 * and body — or a clear error of the relay's own: 503 no client connected, 504 no answer in
 * time, 502 the client vanished, 413 body too large, 404 unknown path.
 *
 * Channels live in memory only while a client is connected or an answer is pending; identity
 * comes from the token itself (see channel-token.ts), so a restarted relay accepts its clients
 * back without any stored state.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { serverTimeouts } from '../config/server-timeouts.js';
import { answerClientError, endWithJsonError } from '../http/socket-answer.js';
import { channelIdForToken, isWellFormedChannelId, newChannelToken, tokenOpensChannel } from './channel-token.js';
import { endToEndHeaders } from '../core/http-headers.js';
import { splitChannelPath } from './forwarding-rules.js';
import { CLOSE_REPLACED, CONNECT_PATH, decodeFrame, encodeFrame, type ResponseFrame } from './frame-codec.js';
import { RelayChannel, type ChannelConnection, type WaitingSender } from './relay-channel.js';

export interface RelayOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Base of the public webhook URLs handed to clients; default: the Host the client connected to. */
  publicUrl?: string;
  /** How long a sender waits for the client's answer before a 504. */
  answerTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Keepalive: a client that has not answered the previous ping by the next one is dropped. */
  pingIntervalMs?: number;
  /** After a client drops, how long its pending requests wait for it to come back and answer. */
  reconnectGraceMs?: number;
  /** A sender gets this long for its whole request (headers: 10 s at most), else 408 (default 30 s). */
  requestTimeoutMs?: number;
  log?: RelayLogger;
}

export type RelayLogger = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

export const RELAY_DEFAULTS = {
  answerTimeoutMs: 10_000,
  maxBodyBytes: 1024 * 1024,
  pingIntervalMs: 15_000,
  reconnectGraceMs: 2_000,
} as const;

/** Room for a frame's metadata on top of the body limit. */
const FRAME_OVERHEAD_BYTES = 64 * 1024;

export interface RelayStats {
  channels: number;
  connected: number;
  pending: number;
}

export class RelayServer {
  private readonly channels = new Map<string, RelayChannel>();
  private readonly sockets = new Set<Socket>();
  private readonly wss: WebSocketServer;
  private readonly http: http.Server;
  private pingTimer: NodeJS.Timeout | undefined;
  private requestCounter = 0;
  private readonly requestIdPrefix = randomBytes(4).toString('hex');
  private readonly settings: { answerTimeoutMs: number; maxBodyBytes: number; pingIntervalMs: number; reconnectGraceMs: number; publicUrl?: string };
  private readonly log: RelayLogger;

  private constructor(options: RelayOptions) {
    this.settings = {
      answerTimeoutMs: options.answerTimeoutMs ?? RELAY_DEFAULTS.answerTimeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? RELAY_DEFAULTS.maxBodyBytes,
      pingIntervalMs: options.pingIntervalMs ?? RELAY_DEFAULTS.pingIntervalMs,
      reconnectGraceMs: options.reconnectGraceMs ?? RELAY_DEFAULTS.reconnectGraceMs,
      publicUrl: options.publicUrl,
    };
    this.log = options.log ?? (() => {});
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.settings.maxBodyBytes + FRAME_OVERHEAD_BYTES, perMessageDeflate: false });
    this.http = http.createServer({ noDelay: true, ...serverTimeouts(options.requestTimeoutMs) }, (req, res) => this.handleHttp(req, res));
    // An Expect other than 100-continue: node would answer 417 itself; the listener is the one to answer.
    this.http.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => this.handleHttp(req, res));
    this.http.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket as Socket, head));
    this.http.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // The relay's own answers carry `x-relay-error` so they are never mistaken for the listener's.
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, { headers: ({ code }) => ({ 'X-Relay-Error': code }) }));
  }

  /** Starts listening; rejects with the listen error (e.g. EADDRINUSE). */
  static async start(options: RelayOptions): Promise<RelayServer> {
    const relay = new RelayServer(options);
    await new Promise<void>((resolve, reject) => {
      relay.http.once('error', reject);
      relay.http.listen(options.port, options.host, () => {
        relay.http.off('error', reject);
        resolve();
      });
    });
    relay.pingTimer = setInterval(() => relay.pingAll(), relay.settings.pingIntervalMs);
    relay.pingTimer.unref();
    return relay;
  }

  /** `http://host:port` the relay listens on. */
  get url(): string {
    const { address, port } = this.http.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  stats(): RelayStats {
    let connected = 0;
    let pending = 0;
    for (const channel of this.channels.values()) {
      if (channel.connection) connected += 1;
      pending += channel.waitingCount;
    }
    return { channels: this.channels.size, connected, pending };
  }

  /** Stops accepting, answers every waiting sender 503, closes every tunnel (clients will reconnect). */
  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const channel of this.channels.values()) {
      channel.stopGrace();
      this.failWaiting(channel, 503, 'relay_closing', 'the relay is shutting down; retry shortly');
      channel.connection?.socket.close(1001, 'relay shutting down');
    }
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    // Give the close frames a moment to leave, then cut whatever is still open.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const socket of this.sockets) socket.destroy();
    for (const client of this.wss.clients) client.terminate();
    await closed;
  }

  // ---- public HTTP side -------------------------------------------------------------------

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    if (url === '/healthz' && req.method === 'GET') {
      sendJson(res, 200, { ok: true, ...this.stats() });
      return;
    }
    const target = splitChannelPath(url);
    if (!target) {
      sendError(res, 404, 'unknown_path', 'no channel in this URL; webhook URLs look like /ch_<22 characters>, as printed by `webhooks-cli listen --relay`');
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.settings.maxBodyBytes) {
      this.tooLarge(req, res, target.channel);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > this.settings.maxBodyBytes) {
        aborted = true;
        this.tooLarge(req, res, target.channel);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!aborted) this.forward(req, res, target.channel, target.rest, Buffer.concat(chunks, size));
    });
    req.on('error', () => {
      aborted = true;
    });
  }

  private tooLarge(req: http.IncomingMessage, res: http.ServerResponse, channel: string): void {
    this.log('warn', `${req.method} /${channel}: body over ${this.settings.maxBodyBytes} bytes refused (413)`, { channel, status: 413 });
    res.setHeader('connection', 'close');
    sendError(res, 413, 'body_too_large', `request body over the relay's ${this.settings.maxBodyBytes}-byte limit`);
    req.resume();
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, channelId: string, rest: string, body: Buffer): void {
    const channel = this.channels.get(channelId);
    const connection = channel?.connection;
    if (!channel || !connection) {
      this.log('warn', `${req.method} /${channelId}${rest}: no client connected (503)`, { channel: channelId, status: 503 });
      res.setHeader('retry-after', '5');
      sendError(res, 503, 'no_client', 'no listener is connected to this channel; start `webhooks-cli listen --relay …` and retry');
      return;
    }
    const id = `${this.requestIdPrefix}-${(this.requestCounter++).toString(36)}`;
    const method = req.method ?? 'GET';
    channel.wait(id, { res, method, path: rest, started: performance.now() }, this.settings.answerTimeoutMs, () => this.timeOut(channel, id));
    // A sender that hangs up no longer needs an answer; a late one is then dropped quietly.
    res.on('close', () => {
      if (!res.writableFinished && channel.isWaiting(id, res)) this.take(channel, id);
    });
    const frame = encodeFrame({
      kind: 'request',
      id,
      method,
      path: rest,
      headers: endToEndHeaders(req.headers),
      remoteAddress: req.socket.remoteAddress ?? null,
      timeoutMs: this.settings.answerTimeoutMs,
      body,
    });
    connection.socket.send(frame, { binary: true }, (err) => {
      if (err && this.take(channel, id)) {
        this.log('warn', `${method} /${channelId}${rest}: could not reach the client (502)`, { channel: channelId, status: 502 });
        sendError(res, 502, 'client_unreachable', 'the tunnel to the listener broke while sending; the sender should retry');
      }
    });
  }

  private timeOut(channel: RelayChannel, id: string): void {
    const sender = this.take(channel, id);
    if (!sender) return;
    this.log('warn', `${sender.method} /${channel.id}${sender.path}: no answer within ${this.settings.answerTimeoutMs} ms (504)`, { channel: channel.id, status: 504 });
    sendError(sender.res, 504, 'client_timeout', `the listener did not answer within ${this.settings.answerTimeoutMs} ms`);
  }

  private answer(channel: RelayChannel, frame: ResponseFrame): void {
    const sender = this.take(channel, frame.id);
    if (!sender) {
      this.log('info', `late or unknown answer ${frame.id} on /${channel.id} ignored (its sender already got an answer or left)`, { channel: channel.id });
      return;
    }
    const ms = Math.round((performance.now() - sender.started) * 10) / 10;
    try {
      sender.res.writeHead(frame.status, { ...endToEndHeaders(frame.headers), 'content-length': String(frame.body.length) });
      sender.res.end(frame.body);
      this.log('info', `${sender.method} /${channel.id}${sender.path} → ${frame.status} (${ms} ms)`, { channel: channel.id, status: frame.status, ms });
    } catch (err) {
      // writeHead throws on header names or values node will not send; the sender still gets an answer.
      this.log('warn', `answer on /${channel.id} has an invalid header (${(err as Error).message}) (502)`, { channel: channel.id, status: 502 });
      if (!sender.res.headersSent) {
        sender.res.removeHeader('content-length');
        sendError(sender.res, 502, 'bad_answer', 'the listener answered with an invalid header');
      } else sender.res.destroy();
    }
  }

  /** The sender waiting for `id` on `channel`, no longer waiting; undefined if it already got an answer. */
  private take(channel: RelayChannel, id: string): WaitingSender | undefined {
    const sender = channel.take(id);
    this.forgetIfIdle(channel);
    return sender;
  }

  private failWaiting(channel: RelayChannel, status: number, code: string, message: string): void {
    for (const sender of channel.takeAll()) {
      this.log('warn', `${sender.method} /${channel.id}${sender.path}: ${message} (${status})`, { channel: channel.id, status });
      sendError(sender.res, status, code, message);
    }
    this.forgetIfIdle(channel);
  }

  // ---- WebSocket side ---------------------------------------------------------------------

  private handleUpgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    if (url.pathname !== CONNECT_PATH) {
      refuseUpgrade(socket, 404, `WebSocket clients connect to ${CONNECT_PATH}`);
      return;
    }
    const requested = url.searchParams.get('channel');
    const token = bearerToken(req.headers.authorization);
    let channelId: string;
    let newToken: string | undefined;
    if (requested === null && token === undefined) {
      newToken = newChannelToken();
      channelId = channelIdForToken(newToken);
    } else if (requested !== null && token !== undefined && tokenOpensChannel(token, requested)) {
      channelId = requested;
    } else {
      const shown = requested && isWellFormedChannelId(requested) ? requested : '(none)';
      this.log('warn', `connection refused for channel ${shown}: ${token === undefined ? 'no token' : 'wrong token'}`, { channel: shown, refused: true });
      refuseUpgrade(socket, 401, 'this token does not open that channel');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, channelId, newToken, publicBase(this.settings.publicUrl, req)));
  }

  private attach(socket: WebSocket, channelId: string, newToken: string | undefined, publicBase: string): void {
    const channel = this.channelFor(channelId);
    const previous = channel.connection;
    const connection: ChannelConnection = { socket, alive: true };
    channel.connection = connection;
    channel.stopGrace();
    if (previous) {
      this.log('warn', `channel ${channelId}: a newer connection replaced the previous one`, { channel: channelId });
      previous.socket.close(CLOSE_REPLACED, 'replaced by a newer connection for this channel');
    }
    this.log('info', `channel ${channelId} connected${newToken ? ' (new channel)' : ''}`, { channel: channelId, connected: true });

    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      connection.alive = true;
      this.receive(channel, data, isBinary);
    });
    socket.on('error', (err) => {
      this.log('warn', `channel ${channelId}: connection error: ${err.message}`, { channel: channelId });
    });
    socket.on('close', (code) => {
      if (channel.connection !== connection) return;
      channel.connection = undefined;
      this.log('info', `channel ${channelId} disconnected (code ${code})`, { channel: channelId, connected: false, code });
      if (channel.waitingCount > 0) {
        // Answers may still come over a reconnection (the client keeps unsent ones); give it a moment.
        channel.startGrace(this.settings.reconnectGraceMs, () => {
          if (!channel.connection) this.failWaiting(channel, 502, 'client_gone', 'the listener disconnected before answering; the sender should retry');
          this.forgetIfIdle(channel);
        });
      }
      this.forgetIfIdle(channel);
    });

    socket.send(
      encodeFrame({
        kind: 'hello',
        channel: channelId,
        token: newToken,
        publicUrl: `${publicBase}/${channelId}`,
        pingIntervalMs: this.settings.pingIntervalMs,
        maxBodyBytes: this.settings.maxBodyBytes,
      }),
      { binary: true },
    );
  }

  private receive(channel: RelayChannel, data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.log('warn', `channel ${channel.id}: text frame ignored (the tunnel speaks binary frames)`, { channel: channel.id, malformed: true });
      return;
    }
    const decoded = decodeFrame(data);
    if (!decoded.ok) {
      this.log('warn', `channel ${channel.id}: malformed frame ignored: ${decoded.reason}`, { channel: channel.id, malformed: true });
      return;
    }
    if (decoded.frame.kind !== 'response') {
      this.log('warn', `channel ${channel.id}: unexpected ${decoded.frame.kind} frame ignored`, { channel: channel.id, malformed: true });
      return;
    }
    this.answer(channel, decoded.frame);
  }

  private pingAll(): void {
    for (const channel of this.channels.values()) {
      const connection = channel.connection;
      if (!connection) continue;
      if (!connection.alive) {
        this.log('warn', `channel ${channel.id}: no pong since the last ping, dropping the connection`, { channel: channel.id });
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  private channelFor(id: string): RelayChannel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = new RelayChannel(id);
      this.channels.set(id, channel);
    }
    return channel;
  }

  private forgetIfIdle(channel: RelayChannel): void {
    // Only this very object: a late callback of a forgotten channel must not drop its successor.
    if (channel.idle && this.channels.get(channel.id) === channel) this.channels.delete(channel.id);
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? match[1] : undefined;
}

/** Where senders reach this relay: `--public-url`, else the address the client itself used (behind a TLS proxy, https). */
function publicBase(configured: string | undefined, req: http.IncomingMessage): string {
  if (configured) return configured.replace(/\/+$/, '');
  const scheme = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${scheme}://${req.headers.host ?? 'localhost'}`;
}

function refuseUpgrade(socket: Socket, status: 401 | 404, message: string): void {
  endWithJsonError(socket, { status, code: status === 401 ? 'unauthorized' : 'not_found', message });
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The relay's own answers carry `x-relay-error` so they are never mistaken for the listener's. */
function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent || res.destroyed) return;
  res.setHeader('x-relay-error', code);
  sendJson(res, status, { error: { code, message } });
}
