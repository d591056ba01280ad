/**
 * Relay instances sharing channels through Redis pub/sub (`relay --redis`). Loaded only then.
 *
 * - `relay:req:<channel>`: request frames, published by the instance a sender reached; the
 *   instance holding that channel's listener is subscribed. PUBLISH counts the receivers, so
 *   0 means no listener on any instance.
 * - `relay:res:<request id>:<channel>`: the answer frame. A request id starts with its sender's
 *   instance id, and each instance subscribes to the pattern of its own ids: one reply channel
 *   per request, one subscription per instance. The channel in the name lets the sender's
 *   instance check that the answer comes from the channel it asked.
 * - `relay:claim:<channel>`: an instance that accepted a listener announces it with the Redis
 *   server's clock, so an older connection on any instance gives way (newest wins).
 *
 * Frames cross Redis as the same binary frames the tunnel carries, untouched. Two connections:
 * commands fail at once while Redis is away (no queue, so a sender is answered 503 rather than
 * kept waiting), subscriptions are queued and restored by ioredis when Redis is back.
 */
import { Redis } from 'ioredis';
import { redactUrl } from '../core/redact.js';
import { UserError } from '../errors.js';
import { HELD_NOTICE_PREFIX } from '../store/redis-hold-store.js';

export interface RedisBridgeEvents {
  /** A request for `channel`, which this instance holds. */
  request(channel: string, frame: Buffer): void;
  /** The answer to `id`, a request this instance's sender made to `channel`. */
  answer(id: string, channel: string, frame: Buffer): void;
  /** Another instance accepted a listener for `channel` at `stamp`. */
  claim(channel: string, stamp: bigint, instance: string): void;
  /** Some instance held a delivery for `channel`, which this instance holds (redis-hold-store.ts). */
  held?(channel: string): void;
  log(level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): void;
}

const REQUEST_PREFIX = 'relay:req:';
const ANSWER_PREFIX = 'relay:res:';
const CLAIM_PREFIX = 'relay:claim:';
const START_TIMEOUT_MS = 5_000;

/** Reconnect at once, then every 250 ms growing to 2 s: a restarted Redis is back within a second or two. */
const retryStrategy = (times: number) => Math.min(times * 250, 2_000);

export class RedisBridge {
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #events: RedisBridgeEvents;
  readonly #shownUrl: string;
  #wasUp = true;
  #closing = false;
  /** The last error either link reported (ioredis's connect() itself only says "Connection is closed"). */
  #lastError: string | undefined;

  private constructor(
    url: string,
    readonly instance: string,
    events: RedisBridgeEvents,
  ) {
    this.#events = events;
    this.#shownUrl = redactUrl(url);
    const common = { lazyConnect: true, retryStrategy, connectTimeout: START_TIMEOUT_MS, maxRetriesPerRequest: 1 };
    this.#commands = new Redis(url, { ...common, enableOfflineQueue: false });
    this.#subscriber = new Redis(url, { ...common, enableOfflineQueue: true, autoResubscribe: true });
    this.#subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.onMessage(channel.toString(), message),
    );
    this.#subscriber.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) =>
      this.onMessage(channel.toString(), message),
    );
    for (const link of [this.#commands, this.#subscriber]) {
      link.on('error', (err: Error) => {
        this.#lastError = err.message;
      });
    }
  }

  /** Connects both links and subscribes to this instance's answers; Redis unreachable is a one-line error. */
  static async start(url: string, instance: string, events: RedisBridgeEvents): Promise<RedisBridge> {
    const bridge = new RedisBridge(url, instance, events);
    try {
      await Promise.all([bridge.#commands.connect(), bridge.#subscriber.connect()]);
      await bridge.#subscriber.psubscribe(`${ANSWER_PREFIX}${instance}-*`);
    } catch (err) {
      bridge.#closing = true;
      bridge.#commands.disconnect();
      bridge.#subscriber.disconnect();
      throw new UserError(`cannot reach Redis at ${bridge.#shownUrl}: ${bridge.#lastError ?? (err as Error).message}`, {
        hint: 'start Redis there, or fix --redis / WEBHOOKS_RELAY_REDIS',
        cause: err,
      });
    }
    bridge.watchHealth();
    return bridge;
  }

  /** Both links are connected. */
  get up(): boolean {
    return this.#commands.status === 'ready' && this.#subscriber.status === 'ready';
  }

  /**
   * This instance now holds `channel`: subscribes to its requests and claims, and tells other
   * instances (their older connection gives way). Resolves with the connection's stamp; 0 when
   * Redis is away (the subscription is restored when it is back).
   */
  async hold(channel: string): Promise<bigint> {
    const subscribed = this.#subscriber
      .subscribe(REQUEST_PREFIX + channel, CLAIM_PREFIX + channel, HELD_NOTICE_PREFIX + channel)
      .catch(() => undefined);
    if (!this.up) return 0n;
    try {
      // Listening for claims before the time is taken: a connection stamped later on another
      // instance publishes its claim after Redis ran this TIME, so this instance hears of it.
      await subscribed;
      const [seconds = 0, micros = 0] = await this.#commands.time();
      const stamp = BigInt(seconds) * 1_000_000n + BigInt(micros);
      await this.#commands.publish(CLAIM_PREFIX + channel, `${stamp} ${this.instance}`);
      return stamp;
    } catch {
      return 0n;
    }
  }

  release(channel: string): void {
    this.#subscriber
      .unsubscribe(REQUEST_PREFIX + channel, CLAIM_PREFIX + channel, HELD_NOTICE_PREFIX + channel)
      .catch(() => undefined);
  }

  /** Publishes a request frame; resolves with how many instances hold the channel. Rejects while Redis is away. */
  publishRequest(channel: string, frame: Buffer): Promise<number> {
    return this.#commands.publish(REQUEST_PREFIX + channel, frame);
  }

  /** Sends `channel`'s answer frame to the instance whose sender waits for `id`. Lost if Redis is away (that sender gets 504). */
  publishAnswer(id: string, channel: string, frame: Buffer): void {
    this.#commands.publish(`${ANSWER_PREFIX}${id}:${channel}`, frame).catch(() => undefined);
  }

  /** Whether `id` names a request made by a sender on this instance. */
  isOwnRequest(id: string): boolean {
    return id.startsWith(`${this.instance}-`);
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([this.#commands.quit(), this.#subscriber.quit()]);
  }

  private onMessage(channel: string, message: Buffer): void {
    if (channel.startsWith(REQUEST_PREFIX)) this.#events.request(channel.slice(REQUEST_PREFIX.length), message);
    else if (channel.startsWith(ANSWER_PREFIX)) {
      const [id, answering] = channel.slice(ANSWER_PREFIX.length).split(':');
      if (id && answering) this.#events.answer(id, answering, message);
    } else if (channel.startsWith(HELD_NOTICE_PREFIX)) {
      this.#events.held?.(channel.slice(HELD_NOTICE_PREFIX.length));
    } else if (channel.startsWith(CLAIM_PREFIX)) {
      const [stamp, instance] = message.toString().split(' ');
      if (instance && instance !== this.instance && /^\d+$/.test(stamp ?? ''))
        this.#events.claim(channel.slice(CLAIM_PREFIX.length), BigInt(stamp!), instance);
    }
  }

  /** One line when Redis goes away (with the reason), one when both links are back. */
  private watchHealth(): void {
    const check = () => {
      if (this.#closing) return;
      const up = this.up;
      if (up === this.#wasUp) return;
      this.#wasUp = up;
      if (up)
        this.#events.log(
          'info',
          `redis reconnected (${this.#shownUrl}); requests for channels on other instances flow again`,
          { redis: 'up' },
        );
      else
        this.#events.log(
          'warn',
          `redis connection lost (${this.#shownUrl}${this.#lastError ? `: ${this.#lastError}` : ''}); this instance's own channels keep working, others get 503 until it is back; reconnecting`,
          { redis: 'down' },
        );
    };
    for (const link of [this.#commands, this.#subscriber]) {
      link.on('ready', check);
      link.on('close', check);
      link.on('reconnecting', check);
    }
  }
}
