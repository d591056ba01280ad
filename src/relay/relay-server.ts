/**
 * The relay: a public HTTP server whose every channel is backed by one WebSocket from a
 * `listen --relay` client. A request to `/<channel>/…` is framed (raw body bytes untouched),
 * sent to that channel's client, and the sender gets the client's real answer — status, headers
 * and body, with the relay's security headers — or a clear error of the relay's own: 503 no
 * client connected, 504 no answer in time, 502 the client vanished, 413 body too large, 405 a
 * method not in `--methods`, 429 over `--rate-limit`, 404 unknown path. With a hold store
 * (`--offline hold`), a known channel with no listener anywhere gets 202 instead, once the
 * delivery is written (holding.ts), and its listener gets the backlog when it connects.
 *
 * This module is the HTTP side and the routing of answers; the WebSocket side (which listener
 * holds which channel) is tunnel-connections.ts. Channels live in memory only while a client is
 * connected or answers are in flight; identity comes from the token itself (see
 * channel-token.ts), so a restarted relay accepts its clients back without any stored state. With `--redis`, instances share channels (see redis-bridge.ts):
 * a channel held elsewhere is reached through Redis, one held here never needs it.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverTimeouts } from '../config/server-timeouts.js';
import { endToEndHeaders } from '../core/http-headers.js';
import { readLimitedBody } from '../http/body-limit.js';
import { answerClientError } from '../http/socket-answer.js';
import { splitChannelPath } from '../tunnel/channel-paths.js';
import { decodeFrame, encodeFrame, type ResponseFrame } from '../tunnel/frame-codec.js';
import type { RelayAccess } from './admission.js';
import { backlogChoice } from './backlog-drain.js';
import type { ChannelConnection, RelayChannel } from './channel.js';
import { RelayHolding } from './holding.js';
import { RelayMetrics } from './metrics.js';
import { PendingSenders } from './pending-senders.js';
import { RateLimiter } from './rate-limiter.js';
import type { RedisBridge } from './redis-bridge.js';
import {
  errorAnswer,
  HELD_HEADER,
  RELAY_ERRORS,
  type RelayError,
  reasonPhrase,
  sendError,
  senderAnswer,
  sendJson,
  withoutRelayErrorHeader,
} from './relay-answers.js';
import { type RelayLogger, type RelayOptions, type RelaySettings, relaySettings } from './relay-options.js';
import { RepeatedWarnings } from './repeated-warnings.js';
import { TunnelConnections } from './tunnel-connections.js';

export interface RelayStats {
  channels: number;
  connected: number;
  pending: number;
}

export class RelayServer {
  private readonly listeners: TunnelConnections;
  private readonly pending = new PendingSenders();
  private readonly sockets = new Set<Socket>();
  private readonly http: http.Server;
  private readonly settings: RelaySettings;
  private readonly methods: Set<string>;
  private readonly limiter: RateLimiter;
  private readonly metrics: RelayMetrics;
  private readonly access: RelayAccess | undefined;
  /** Holds deliveries for known channels with no listener (`--offline hold`); undefined: 503 as before. */
  private readonly holding: RelayHolding | undefined;
  private bridge: RedisBridge | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private requestCounter = 0;
  private readonly instanceId = randomBytes(4).toString('hex');
  private readonly log: RelayLogger;
  private readonly repeated: RepeatedWarnings;

  private constructor(options: RelayOptions) {
    this.settings = relaySettings(options);
    this.methods = new Set(this.settings.methods);
    this.limiter = new RateLimiter(this.settings.rateLimit);
    this.access = options.access;
    this.log = options.log ?? (() => {});
    this.repeated = new RepeatedWarnings(this.log, this.settings.repeatedWarningWindowMs);
    this.holding =
      options.hold &&
      new RelayHolding(options.hold, options.access, this.log, {
        drained: (count) => this.metrics.heldDrained(count),
        refused: (reason) => this.metrics.heldRefused(reason),
        dropped: (count, reason) => this.metrics.heldDropped(count, reason),
      });
    const holding = this.holding;
    this.metrics = new RelayMetrics({
      stats: () => this.stats(),
      queuedBytes: () => this.listeners.queuedBytes(),
      redisUp: () => (options.redisUrl ? (this.bridge?.up ?? false) : undefined),
      held: holding && (() => holding.totals()),
    });
    this.listeners = new TunnelConnections({
      settings: this.settings,
      access: this.access,
      bridge: () => this.bridge,
      log: this.log,
      repeated: this.repeated,
      answer: (channel, frame, raw) => this.route(channel, frame, raw),
      gone: (channel) => this.failInFlight(channel, RELAY_ERRORS.clientGone),
      listening: (channel, connection, backlog) => this.listening(channel, connection, backlog),
    });
    this.http = http.createServer({ noDelay: true, ...serverTimeouts(options.requestTimeoutMs) }, (req, res) =>
      this.handleHttp(req, res),
    );
    // An Expect other than 100-continue: node would answer 417 itself; the listener is the one to answer.
    this.http.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) =>
      this.handleHttp(req, res),
    );
    this.http.on('upgrade', (req, socket, head) => this.listeners.upgrade(req, socket as Socket, head));
    this.http.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // The relay's own answers carry `x-relay-error` so they are never mistaken for the listener's.
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
      answerClientError(err, socket, { headers: ({ code }) => ({ 'X-Relay-Error': code }) }),
    );
  }

  /** Connects to Redis (if asked), then listens; rejects with a UserError for Redis or the listen error (e.g. EADDRINUSE). */
  static async start(options: RelayOptions): Promise<RelayServer> {
    const relay = new RelayServer(options);
    if (options.redisUrl) {
      const { RedisBridge } = await import('./redis-bridge.js');
      relay.bridge = await RedisBridge.start(options.redisUrl, relay.instanceId, {
        request: (channel, frame) => relay.relayedRequest(channel, frame),
        answer: (id, channel, frame) => relay.relayedAnswer(id, channel, frame),
        claim: (channel, stamp, instance) => relay.listeners.claimedElsewhere(channel, { stamp, instance }),
        held: (channel) => void relay.listeners.get(channel)?.connection?.drain?.poke(),
        log: relay.log,
      });
    }
    try {
      await new Promise<void>((resolve, reject) => {
        relay.http.once('error', reject);
        relay.http.listen(options.port, options.host, () => {
          relay.http.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await Promise.all([relay.bridge?.close(), relay.holding?.close()]);
      throw err;
    }
    relay.access?.onChange(() => {
      relay.listeners.dropRefusedListeners();
      void relay.holding?.dropRevoked();
    });
    relay.holding?.startSweeping();
    relay.access?.watch();
    relay.pingTimer = setInterval(() => {
      const now = Date.now();
      relay.limiter.sweep(now);
      relay.listeners.pingAll(now);
    }, relay.settings.pingIntervalMs);
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
    return { ...this.listeners.stats(), pending: this.pending.size };
  }

  /** Stops accepting, answers every waiting sender 503, closes every tunnel (clients will reconnect). */
  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    this.access?.close();
    for (const sender of this.pending.takeAll())
      sendError(sender.res, 503, 'relay_closing', 'the relay is shutting down; retry shortly', { 'retry-after': '1' });
    this.listeners.closeAll();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    // Give the close frames a moment to leave, then cut whatever is still open.
    await sleep(50);
    for (const socket of this.sockets) socket.destroy();
    this.listeners.terminateAll();
    this.repeated.flush();
    await Promise.all([closed, this.bridge?.close()]);
    await this.holding?.close();
  }

  // ---- public HTTP side -------------------------------------------------------------------

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    if (req.method === 'GET' && (url === '/healthz' || url === '/metrics')) {
      req.resume();
      if (url === '/healthz') void this.health().then((health) => sendJson(res, 200, health));
      else
        void this.metrics
          .text()
          .then((text) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text));
      return;
    }
    const target = splitChannelPath(url);
    if (!target) {
      sendError(
        res,
        404,
        'unknown_path',
        'no channel in this URL; webhook URLs look like /ch_<22 characters>, as printed by `webhooks-cli listen --relay`',
      );
      req.resume();
      return;
    }
    const started = performance.now();
    res.on('finish', () => this.metrics.answered(res.statusCode, (performance.now() - started) / 1000));
    const refuse = (status: number, code: string, message: string, headers?: Record<string, string>) => {
      this.repeated.note(
        `${code} ${target.channel}`,
        'warn',
        `${req.method} /${target.channel}: ${message} (${status})`,
        {
          channel: target.channel,
          status,
        },
      );
      sendError(res, status, code, message, headers);
      req.resume();
    };
    if (!this.methods.has(req.method ?? '')) {
      refuse(405, 'method_not_allowed', `this relay passes on only ${[...this.methods].join(', ')}`, {
        allow: [...this.methods].join(', '),
      });
      return;
    }
    const rate = this.limiter.take(target.channel, Date.now());
    if (!rate.ok) {
      this.metrics.rateLimited();
      refuse(429, 'rate_limited', `over this channel's ${this.settings.rateLimit} requests a second`, {
        'retry-after': String(Math.max(1, Math.ceil(rate.retryAfterMs / 1000))),
      });
      return;
    }
    readLimitedBody(req, this.settings.maxBodyBytes, {
      tooLarge: () => {
        res.setHeader('connection', 'close');
        refuse(413, 'body_too_large', `request body over the relay's ${this.settings.maxBodyBytes}-byte limit`);
      },
      complete: (body) => this.forward(req, res, target.channel, target.rest, body, started),
    });
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    channelId: string,
    rest: string,
    body: Buffer,
    started: number,
  ): void {
    const method = req.method ?? 'POST';
    const line = `${method} /${channelId}${rest}`;
    const fail = ({ status, code, message, headers }: RelayError) => {
      this.repeated.note(`${code} ${channelId}`, 'warn', `${line}: ${message} (${status})`, {
        channel: channelId,
        status,
      });
      sendError(res, status, code, message, headers);
    };
    const channel = this.listeners.get(channelId);
    const here = channel?.connection !== undefined;
    if (!here && !this.bridge) {
      this.holdOrFail(req, res, channelId, rest, body, fail);
      return;
    }
    if (!here && !this.bridge!.up) {
      fail(RELAY_ERRORS.redisUnavailable);
      return;
    }
    if (this.pending.countFor(channelId) >= this.settings.maxPendingPerChannel) {
      fail({
        status: 503,
        code: 'listener_busy',
        message: `${this.settings.maxPendingPerChannel} requests are already waiting for this channel's listener`,
        headers: { 'retry-after': '1' },
      });
      return;
    }
    const id = `${this.instanceId}-${(this.requestCounter++).toString(36)}`;
    this.pending.add(id, { res, channel: channelId, method, path: rest, started }, this.settings.answerTimeoutMs, () =>
      this.timeOut(id),
    );
    // A sender that hangs up no longer needs an answer; a late one is then dropped quietly.
    res.on('close', () => {
      if (!res.writableFinished && this.pending.isWaiting(id, res)) this.pending.take(id);
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
    const lost = (error: RelayError) => {
      if (this.pending.take(id)) fail(error);
    };
    if (channel && here) {
      const unsent = this.sendDown(channel, id, frame, this.settings.answerTimeoutMs, lost);
      if (unsent) lost(unsent);
      return;
    }
    this.bridge!.publishRequest(channelId, frame).then(
      (receivers) => {
        // No listener on any instance: held (the sender waits no longer for one), or 503.
        if (receivers === 0 && this.pending.take(id)) this.holdOrFail(req, res, channelId, rest, body, fail);
      },
      () => lost(RELAY_ERRORS.redisUnavailable),
    );
  }

  /**
   * Sends request `id` down to `channel`'s listener, held on this instance, whoever's sender waits
   * for it: the error to answer with if it cannot go (`broken`: later, if the connection fails).
   */
  private sendDown(
    channel: RelayChannel,
    id: string,
    frame: Buffer,
    timeoutMs: number,
    broken: (error: RelayError) => void,
  ): RelayError | undefined {
    const outcome = channel.sendRequest(id, frame, Date.now() + timeoutMs, this.settings.maxQueuedBytesPerChannel, () =>
      broken(RELAY_ERRORS.clientUnreachable),
    );
    if (outcome === 'no listener') return RELAY_ERRORS.noClient;
    if (outcome === 'backlogged') return RELAY_ERRORS.listenerStalled;
    return undefined;
  }

  /**
   * No listener anywhere for `channelId`: keeps the delivery (`--offline hold`) and answers 202
   * once it is written, or answers why not — 503 hold full, or 503 no listener as before.
   */
  private holdOrFail(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    channelId: string,
    rest: string,
    body: Buffer,
    fail: (error: RelayError) => void,
  ): void {
    if (!this.holding) {
      fail(RELAY_ERRORS.noClient);
      return;
    }
    const line = `${req.method} /${channelId}${rest}`;
    void this.holding
      .keep({
        channel: channelId,
        method: req.method ?? 'POST',
        path: rest,
        headers: endToEndHeaders(req.headers),
        remoteAddress: req.socket.remoteAddress ?? null,
        receivedAt: Date.now(),
        body,
      })
      .then((outcome) => {
        switch (outcome.kept) {
          case 'held':
            this.log('info', `${line} → 202 held (no listener connected)`, {
              channel: channelId,
              status: 202,
              held: true,
            });
            sendJson(
              res,
              202,
              {
                held: true,
                channel: channelId,
                message: 'no listener is connected; the relay keeps this delivery and hands it over when one connects',
              },
              { [HELD_HEADER]: 'true' },
            );
            // A listener that connected while this was being written drains it now.
            this.listeners.get(channelId)?.connection?.drain?.poke();
            return;
          case 'full':
            return fail(RELAY_ERRORS.holdFull);
          case 'not-held':
            return fail(RELAY_ERRORS.noClient);
          case 'unavailable':
            return fail({
              ...RELAY_ERRORS.holdUnavailable,
              message: `${RELAY_ERRORS.holdUnavailable.message} (${outcome.reason})`,
            });
        }
      });
  }

  /** A listener was greeted: its channel is known from now on, and it gets the backlog if it takes one. */
  private listening(channel: RelayChannel, connection: ChannelConnection, backlog: string | null): void {
    if (!this.holding) return;
    this.holding.remember(channel.id, connection.keySha256);
    const choice = backlogChoice(backlog);
    if (!choice) return;
    // Half the send buffer's bound at most, so live deliveries still pass while a backlog drains.
    connection.drain = this.holding.drain(
      channel.id,
      choice,
      (frame) => connection.socket.send(frame, { binary: true }),
      {
        queuedBytes: () => connection.socket.bufferedAmount,
        maxQueuedBytes: this.settings.maxQueuedBytesPerChannel / 2,
      },
    );
  }

  /** `/healthz`: always 200 while serving; Redis and the hold store say whether they are up. */
  private async health(): Promise<Record<string, unknown>> {
    const health: Record<string, unknown> = {
      ok: true,
      ...this.stats(),
      ...(this.bridge ? { redis: this.bridge.up ? 'up' : 'down' } : {}),
    };
    if (!this.holding) return health;
    const { store } = this.holding;
    try {
      const { deliveries } = await this.holding.totals();
      return { ...health, held: { store: store.kind, up: store.up, deliveries } };
    } catch (err) {
      return { ...health, held: { store: store.kind, up: false, error: (err as Error).message } };
    }
  }

  private timeOut(id: string): void {
    const sender = this.pending.take(id);
    if (!sender) return;
    this.log(
      'warn',
      `${sender.method} /${sender.channel}${sender.path}: no answer within ${this.settings.answerTimeoutMs} ms (504)`,
      { channel: sender.channel, status: 504 },
    );
    sendError(
      sender.res,
      504,
      'client_timeout',
      `the listener did not answer within ${this.settings.answerTimeoutMs} ms`,
    );
  }

  /**
   * Passes `frame`, the answer to a sender waiting here on `channelId`, to that sender as
   * `senderAnswer` makes it fit to serve. `relayMade`: it came through Redis, where the listener's
   * own answers no longer carry `X-Relay-Error` (see `route`), so one that does is the relay's.
   */
  private answerSender(channelId: string, frame: ResponseFrame, relayMade: boolean): void {
    if (this.pending.channelOf(frame.id) !== channelId) {
      this.repeated.note(
        `unknown answer ${channelId}`,
        'info',
        `late or unknown answer ${frame.id} on /${channelId} ignored (its sender already got an answer or left)`,
        { channel: channelId },
      );
      return;
    }
    const sender = this.pending.take(frame.id)!;
    const line = `${sender.method} /${channelId}${sender.path}`;
    const answer = senderAnswer(sender.method, frame, relayMade);
    if (!answer.ok) {
      this.log('warn', `${line}: ${answer.error.message} (502)`, { channel: channelId, status: 502 });
      sendError(sender.res, answer.error.status, answer.error.code, answer.error.message);
      return;
    }
    this.metrics.headersDropped(answer.dropped);
    const ms = Math.round((performance.now() - sender.started) * 10) / 10;
    try {
      sender.res.writeHead(answer.status, reasonPhrase(answer.status), answer.headers);
      sender.res.end(answer.body);
      this.log('info', `${line} → ${answer.status} (${ms} ms)`, { channel: channelId, status: answer.status, ms });
    } catch (err) {
      // writeHead throws on header values node will not send; the sender still gets an answer.
      this.log('warn', `answer on /${channelId} has an invalid header (${(err as Error).message}) (502)`, {
        channel: channelId,
        status: 502,
      });
      if (!sender.res.headersSent) {
        sender.res.removeHeader('content-length');
        sendError(sender.res, 502, 'bad_answer', 'the listener answered with an invalid header');
      } else sender.res.destroy();
    }
  }

  /** A listener's answer to `id` on `channel`: to its sender here, or through Redis to the instance it waits on. */
  private route(channel: RelayChannel, frame: ResponseFrame, raw: Buffer): void {
    channel.inFlight.delete(frame.id);
    if (this.bridge && !this.bridge.isOwnRequest(frame.id))
      this.bridge.publishAnswer(frame.id, channel.id, withoutRelayErrorHeader(frame, raw));
    else this.answerSender(channel.id, frame, false);
    this.listeners.forgetIfIdle(channel);
  }

  /** Tells the senders of the requests still in flight on `channel` that its listener is gone. */
  private failInFlight(channel: RelayChannel, error: RelayError): void {
    channel.pruneExpired(Date.now());
    for (const id of channel.inFlight.keys()) {
      if (this.bridge && !this.bridge.isOwnRequest(id)) {
        this.bridge.publishAnswer(id, channel.id, encodeFrame({ kind: 'response', id, ...errorAnswer(error) }));
        continue;
      }
      const sender = this.pending.take(id);
      if (!sender) continue;
      this.log('warn', `${sender.method} /${channel.id}${sender.path}: ${error.message} (${error.status})`, {
        channel: channel.id,
        status: error.status,
      });
      sendError(sender.res, error.status, error.code, error.message, error.headers);
    }
    channel.inFlight.clear();
    this.listeners.forgetIfIdle(channel);
  }

  // ---- Redis side -------------------------------------------------------------------------

  /** A request from a sender on another instance for a channel held here. */
  private relayedRequest(channelId: string, raw: Buffer): void {
    const decoded = decodeFrame(raw);
    if (!decoded.ok || decoded.frame.kind !== 'request' || this.bridge!.isOwnRequest(decoded.frame.id)) return;
    const { id, timeoutMs } = decoded.frame;
    const reply = (error: RelayError) =>
      this.bridge!.publishAnswer(id, channelId, encodeFrame({ kind: 'response', id, ...errorAnswer(error) }));
    const channel = this.listeners.get(channelId);
    const unsent = channel ? this.sendDown(channel, id, raw, timeoutMs, reply) : RELAY_ERRORS.noClient;
    if (unsent) reply(unsent);
  }

  /** An answer, through Redis, for a sender waiting here. */
  private relayedAnswer(id: string, channelId: string, raw: Buffer): void {
    const decoded = decodeFrame(raw);
    if (decoded.ok && decoded.frame.kind === 'response' && decoded.frame.id === id)
      this.answerSender(channelId, decoded.frame, true);
  }
}
