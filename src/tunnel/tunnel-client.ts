/**
 * The listener's end of the tunnel: connects out to a relay, asks for a channel (or reopens the
 * stored one), hands every tunnelled request to a `RequestHandler` — the same one the local
 * receiver uses — and sends its answer back. After any drop it reconnects with backoff.
 *
 * Nothing answered is lost or handled twice: the relay never re-sends a request, and an answer
 * that could not be sent because the link dropped is kept until the request's deadline and sent
 * over the next connection, where the relay still holds the sender.
 *
 * With `backlog`, it also takes what the relay held while it was away: held deliveries arrive in
 * arrival order and are handled one at a time, in that order (live requests keep going beside
 * them); each is acknowledged once it is recorded, and what was not acknowledged when a link drops
 * comes again over the next one.
 */
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { describeNetworkError } from '../core/network-error.js';
import { printable } from '../format/terminal-text.js';
import { BodyPrefix } from '../http/body-limit.js';
import { watchProxy } from '../http/node-agent.js';
import { type ProxyRoute, proxyProblemLine } from '../http/proxy-settings.js';
import type { HeldHandler, RawRequest, RawResponse, RequestHandler } from '../receiver/raw-exchange.js';
import { localPathFor, normaliseRelayUrl } from './channel-paths.js';
import {
  BACKLOG_PARAM,
  type BacklogFrame,
  CLOSE_KEY_REFUSED,
  CLOSE_REPLACED,
  decodeFrame,
  encodeFrame,
  type HeldFrame,
  type HelloFrame,
  KEY_REFUSED_CODE,
  KEY_REFUSED_MESSAGE,
  RELAY_KEY_HEADER,
  type RequestFrame,
} from './frame-codec.js';
import { HEALTHY_CONNECTION_MS, RECONNECT_DELAYS_MS, ReconnectBackoff } from './reconnect-backoff.js';

export interface ChannelCredentials {
  channel: string;
  token: string;
  publicUrl?: string;
}

/**
 * `connecting`: first attempt under way · `connected`: the relay said hello · `reconnecting`:
 * waiting or retrying after a drop · `refused`: the relay rejected the token (final) ·
 * `replaced`: another listener took the channel over (final) · `stopped`: `stop()` was called.
 */
export type TunnelState = 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'replaced' | 'stopped';

export interface TunnelStatus {
  state: TunnelState;
  relayUrl: string;
  channel?: string;
  publicUrl?: string;
  /** Consecutive failed attempts or drops since the last healthy connection. */
  attempts: number;
  /** When reconnecting: the wait before the next attempt. */
  retryInMs?: number;
  /** Why the last connection ended or failed, in words. */
  error?: string;
}

export interface TunnelClientOptions {
  /** `ws://`, `wss://` (or `http(s)://`) URL of the relay; `/connect` is added when no path is given. */
  relayUrl: string;
  handler: RequestHandler;
  /** The relay's access key (`rk_…`), when the relay requires one. */
  relayKey?: string;
  /** A channel to reopen; without it the relay creates one and `onCredentials` receives it. */
  credentials?: ChannelCredentials;
  onCredentials?: (credentials: ChannelCredentials) => void;
  onStatus?: (status: TunnelStatus) => void;
  /** Something worth a line in the log that is not a state change (malformed frame, handler error). */
  onWarning?: (message: string) => void;
  /** The listener's path: a POST to the channel's root arrives here. */
  localPath?: string;
  reconnectDelaysMs?: readonly number[];
  healthyAfterMs?: number;
  handshakeTimeoutMs?: number;
  /** Connect through this forward proxy (a CONNECT tunnel agent from http/node-agent.ts). */
  proxy?: { agent: http.Agent; route: ProxyRoute };
  /** Take the deliveries the relay held while no listener was connected; without it, the relay sends none. */
  backlog?: BacklogOptions;
}

/** What a backlog frame says: one starts (`count` to come) or is done (`delivered`); `skipped`: dropped at `take`'s choice. */
export type BacklogProgress = Omit<BacklogFrame, 'kind'>;

export interface BacklogOptions {
  /** `all`, `none`, or only those held at most this many milliseconds (`listen --backlog`). */
  take: 'all' | 'none' | number;
  handler: HeldHandler;
  onProgress?: (progress: BacklogProgress) => void;
}

/** `code`, on a refusal: the relay's error code (`relay_key_refused`, `unauthorized`, `too_many_channels`). */
export type TunnelEnd = { reason: 'stopped' } | { reason: 'refused' | 'replaced'; message: string; code?: string };

interface UnsentAnswer {
  frame: Buffer;
  expiresAt: number;
}

export class TunnelClient {
  private readonly options: TunnelClientOptions;
  private readonly connectUrl: string;
  private readonly backoff: ReconnectBackoff;
  private credentials: ChannelCredentials | undefined;
  private socket: WebSocket | undefined;
  private hello: HelloFrame | undefined;
  private current: TunnelStatus;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly unsent = new Map<string, UnsentAnswer>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Held deliveries are handled one after another, in the order the relay sent them. */
  private heldInTurn: Promise<void> = Promise.resolve();
  private acks: string[] = [];
  private ackSoon: NodeJS.Immediate | undefined;
  private resolveDone!: (end: TunnelEnd) => void;
  /** Settles once the tunnel ends for good: stopped, refused or replaced. */
  readonly done: Promise<TunnelEnd>;

  constructor(options: TunnelClientOptions) {
    this.options = options;
    this.connectUrl = normaliseRelayUrl(options.relayUrl);
    this.credentials = options.credentials;
    this.backoff = new ReconnectBackoff(
      options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS,
      options.healthyAfterMs ?? HEALTHY_CONNECTION_MS,
    );
    this.current = {
      state: 'connecting',
      relayUrl: this.connectUrl,
      channel: options.credentials?.channel,
      publicUrl: options.credentials?.publicUrl,
      attempts: 0,
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Opens the tunnel; progress arrives through `onStatus`. */
  start(): void {
    this.connect();
  }

  status(): TunnelStatus {
    return { ...this.current };
  }

  /**
   * Closes the tunnel for good. Requests already being handled finish first (bounded by
   * `graceMs`) so their answers still reach the senders.
   */
  async stop(graceMs = 2_000): Promise<void> {
    if (this.stopping) return this.done.then(() => undefined);
    this.stopping = true;
    clearTimeout(this.retryTimer);
    if (this.inFlight.size > 0) {
      await Promise.race([Promise.allSettled([...this.inFlight]), sleep(graceMs, undefined, { ref: false })]);
    }
    clearTimeout(this.watchdog);
    this.sendAcks();
    const socket = this.socket;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.close(1000, 'listener stopped');
      const forced = setTimeout(() => socket.terminate(), 1_000);
      await closed;
      clearTimeout(forced);
    }
    this.finish({ reason: 'stopped' }, { state: 'stopped', error: undefined, retryInMs: undefined });
  }

  private connect(): void {
    if (this.stopping) return;
    const url = new URL(this.connectUrl);
    const headers: Record<string, string> = {};
    if (this.options.relayKey) headers[RELAY_KEY_HEADER] = this.options.relayKey;
    if (this.credentials) {
      url.searchParams.set('channel', this.credentials.channel);
      headers.authorization = `Bearer ${this.credentials.token}`;
    }
    const backlog = this.options.backlog;
    if (backlog) url.searchParams.set(BACKLOG_PARAM, String(backlog.take));
    const proxy = this.options.proxy;
    const socket = new WebSocket(url, {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
      agent: proxy?.agent,
    });
    this.socket = socket;
    this.hello = undefined;
    let refusal: { message: string; code?: string } | undefined;
    let lastError: string | undefined;
    // What the proxy did wrong is the proxy's, not the relay's: a refused CONNECT's answer reaches ws as the relay's.
    const verdict = watchProxy(proxy?.agent ?? socket, proxy?.route);
    const proxyFailed = (what: string) => proxyProblemLine(proxy!.route, url, what);
    socket.once('close', () => verdict.stop());

    socket.on('unexpected-response', (_req, res) => {
      const refused = verdict.ofAnswer(res);
      if (refused) {
        lastError = proxyFailed(refused);
        res.resume();
        socket.terminate();
        return;
      }
      // Only the start of a refusal is read: one that never ends must neither grow nor hold the client.
      const body = new BodyPrefix(MAX_REFUSAL_BYTES);
      let read = false;
      const readRefusal = () => {
        if (read) return;
        read = true;
        const error = errorOf(body.bytes);
        const detail = error.message ?? `HTTP ${res.statusCode}`;
        if (res.statusCode === 401 || res.statusCode === 403) {
          refusal =
            error.code === KEY_REFUSED_CODE
              ? { message: KEY_REFUSED_MESSAGE, code: error.code }
              : {
                  message: `the relay refused channel ${this.credentials?.channel ?? '(new)'}: ${detail}`,
                  code: error.code,
                };
        }
        lastError = `relay answered ${res.statusCode}: ${detail}`;
        socket.terminate();
      };
      res.on('data', (c: Buffer) => {
        body.add(c);
        if (!body.truncated) return;
        res.destroy();
        readRefusal();
      });
      res.on('end', readRefusal);
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.armWatchdog(socket);
      if (!isBinary) {
        this.options.onWarning?.('relay sent a text frame; ignored');
        return;
      }
      const decoded = decodeFrame(data);
      if (!decoded.ok) {
        this.options.onWarning?.(`malformed frame from the relay ignored: ${decoded.reason}`);
        return;
      }
      const frame = decoded.frame;
      if (frame.kind === 'hello') this.onHello(socket, frame);
      else if (frame.kind === 'request') this.track(this.handle(frame));
      else if (frame.kind === 'held' && this.options.backlog) this.takeHeld(frame);
      else if (frame.kind === 'backlog' && this.options.backlog) {
        const { kind: _kind, ...progress } = frame;
        this.options.backlog.onProgress?.(progress);
      } else this.options.onWarning?.(`relay sent a ${frame.kind} frame; ignored`);
    });
    socket.on('ping', () => this.armWatchdog(socket));
    socket.on('error', (err) => {
      const fault = verdict.ofError(err);
      lastError ??= fault
        ? proxyFailed(fault)
        : describeNetworkError(err, new URL(this.options.relayUrl), 'the relay').error;
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      clearTimeout(this.watchdog);
      this.socket = undefined;
      this.hello = undefined;
      if (this.stopping) return;
      if (code === CLOSE_KEY_REFUSED)
        refusal = {
          message: `${KEY_REFUSED_MESSAGE} (${reason.toString() || 'no reason given'})`,
          code: KEY_REFUSED_CODE,
        };
      if (refusal) {
        this.finish(
          { reason: 'refused', ...refusal },
          { state: 'refused', error: refusal.message, retryInMs: undefined },
        );
        return;
      }
      if (code === CLOSE_REPLACED) {
        const message = `another listener connected to channel ${this.credentials?.channel} and took it over`;
        this.finish({ reason: 'replaced', message }, { state: 'replaced', error: message, retryInMs: undefined });
        return;
      }
      const why =
        lastError ??
        (reason.length > 0 ? `closed by the relay: ${reason.toString()}` : `connection closed (code ${code})`);
      this.scheduleReconnect(why);
    });
  }

  private onHello(socket: WebSocket, hello: HelloFrame): void {
    this.hello = hello;
    if (hello.token) {
      this.credentials = { channel: hello.channel, token: hello.token, publicUrl: hello.publicUrl };
      this.options.onCredentials?.(this.credentials);
    } else if (this.credentials && this.credentials.publicUrl !== hello.publicUrl) {
      // Same channel, new address (the relay moved or got a --public-url): remember the new one.
      this.credentials = { ...this.credentials, publicUrl: hello.publicUrl };
      this.options.onCredentials?.(this.credentials);
    }
    this.backoff.connected(Date.now());
    this.armWatchdog(socket);
    this.update({
      state: 'connected',
      channel: hello.channel,
      publicUrl: hello.publicUrl,
      attempts: 0,
      retryInMs: undefined,
      error: undefined,
    });
    this.flushUnsent();
  }

  private scheduleReconnect(why: string): void {
    const delay = this.backoff.nextDelay(Date.now());
    this.update({ state: 'reconnecting', attempts: this.backoff.attempts, retryInMs: delay, error: why });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Two missed pings mean the link is dead even if TCP has not noticed; cut it and reconnect. */
  private armWatchdog(socket: WebSocket): void {
    if (!this.hello) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (this.socket === socket) socket.terminate();
    }, this.hello.pingIntervalMs * 2.5);
    this.watchdog.unref();
  }

  /** The request a frame from the relay carries, at the listener's own path. */
  private requestFrom(frame: RequestFrame | HeldFrame): RawRequest {
    return {
      method: frame.method,
      path: localPathFor(frame.path, this.options.localPath),
      headers: frame.headers,
      body: frame.body,
      remoteAddress: frame.remoteAddress,
      via: 'relay',
    };
  }

  private async handle(frame: RequestFrame): Promise<void> {
    const request = this.requestFrom(frame);
    const deadline = Date.now() + frame.timeoutMs;
    let response: RawResponse;
    try {
      response = await this.options.handler(request);
    } catch (err) {
      this.options.onWarning?.(
        `handler failed on ${frame.method} ${printable(request.path)}: ${printable((err as Error).message)}`,
      );
      response = textResponse(502, 'the listener failed while handling this request');
    }
    if (!Number.isInteger(response.status) || response.status < 200 || response.status > 599) {
      // Only a final status answers the sender; the relay would refuse anything else as well.
      this.options.onWarning?.(
        `answer to ${frame.method} ${printable(request.path)} had status ${response.status}, not a final one (200-599); sent 502 instead`,
      );
      response = textResponse(502, `the listener's answer had status ${response.status}, not a final HTTP status`);
    }
    const limit = this.hello?.maxBodyBytes;
    if (limit !== undefined && response.body.length > limit) {
      this.options.onWarning?.(
        `answer of ${response.body.length} bytes is over the relay's ${limit}-byte limit; sent 502 instead`,
      );
      response = textResponse(502, `the listener's answer is larger than the relay's ${limit}-byte limit`);
    }
    const encoded = encodeFrame({
      kind: 'response',
      id: frame.id,
      status: response.status,
      headers: response.headers,
      body: response.body,
    });
    this.sendOrKeep(frame.id, encoded, deadline);
  }

  /** Queues a held delivery behind the others; acknowledges it once it is recorded. */
  private takeHeld(frame: HeldFrame): void {
    const handler = this.options.backlog!.handler;
    const request: RawRequest = {
      ...this.requestFrom(frame),
      held: { receivedAt: frame.receivedAt, heldMs: frame.heldMs },
    };
    this.heldInTurn = this.heldInTurn.then(async () => {
      try {
        const { recorded } = await handler(request);
        this.track(recorded.then(() => this.acknowledge(frame.seq)));
      } catch (err) {
        // Not acknowledged: the relay keeps it and sends it again over the next connection.
        this.options.onWarning?.(`held delivery ${frame.seq} could not be handled: ${(err as Error).message}`);
      }
    });
    this.track(this.heldInTurn);
  }

  /** Acknowledgements leave together, once per turn of the event loop; lost with the link, they only mean a re-send. */
  private acknowledge(seq: string): void {
    this.acks.push(seq);
    this.ackSoon ??= setImmediate(() => this.sendAcks());
  }

  private sendAcks(): void {
    clearImmediate(this.ackSoon);
    this.ackSoon = undefined;
    const seqs = this.acks;
    this.acks = [];
    const socket = this.socket;
    if (seqs.length && socket?.readyState === WebSocket.OPEN && this.hello)
      socket.send(encodeFrame({ kind: 'ack', seqs }), { binary: true }, () => {});
  }

  private sendOrKeep(id: string, frame: Buffer, expiresAt: number): void {
    const socket = this.socket;
    if (!socket || !this.hello || socket.readyState !== WebSocket.OPEN) {
      this.unsent.set(id, { frame, expiresAt });
      return;
    }
    socket.send(frame, { binary: true }, (err) => {
      if (err) this.unsent.set(id, { frame, expiresAt });
    });
  }

  private flushUnsent(): void {
    const now = Date.now();
    for (const [id, answer] of this.unsent) {
      this.unsent.delete(id);
      if (answer.expiresAt > now) this.sendOrKeep(id, answer.frame, answer.expiresAt);
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private update(change: Partial<TunnelStatus>): void {
    this.current = { ...this.current, ...change };
    this.options.onStatus?.(this.status());
  }

  private finish(end: TunnelEnd, change: Partial<TunnelStatus>): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.stopping = true;
    this.update(change);
    this.resolveDone(end);
  }
}

/** How much of a refused handshake's answer is read for its reason. */
const MAX_REFUSAL_BYTES = 64 * 1024;

function textResponse(status: number, message: string): RawResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(`${message}\n`) };
}

/** The relay's JSON error `{ error: { code, message } }`, or the start of whatever else it sent. */
function errorOf(body: Buffer): { message?: string; code?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown; code?: unknown } };
    return {
      message: typeof parsed.error?.message === 'string' ? parsed.error.message : undefined,
      code: typeof parsed.error?.code === 'string' ? parsed.error.code : undefined,
    };
  } catch {
    return { message: body.length > 0 ? body.toString('utf8').slice(0, 200) : undefined };
  }
}
