/**
 * The relay's holding policy (`relay --offline hold`, the default): a delivery for a known
 * channel — one a listener has held — that has no listener connected is written to the hold store
 * and only then answered 202 with `X-Relay-Held: true`. Bounded and never silent: past
 * `--hold-max` or `--hold-max-bytes` the sender gets 503 `hold full` (its platform retries), what
 * outlives `--hold-for` is dropped with a log line and counted, and the channels of a revoked key
 * hold nothing. The store is in hold-store.ts; handing the backlog to a listener, backlog-drain.ts.
 */
import { formatSpan } from '../format/display.js';
import type { HoldStore, NewHeldDelivery } from '../store/hold-store.js';
import type { RelayAccess } from './admission.js';
import { type BacklogChoice, BacklogDrain } from './backlog-drain.js';
import type { RelayLogger } from './relay-options.js';

export interface HoldSettings {
  store: HoldStore;
  /** Held deliveries older than this are dropped (default 72 h). */
  holdForMs: number;
  /** Per channel. */
  maxCount: number;
  maxBytes: number;
}

export const HOLD_DEFAULTS = {
  holdForMs: 72 * 3_600_000,
  maxCount: 10_000,
  maxBytes: 100 * 1024 * 1024,
} as const;

/** `held`: answer 202 · `full`: 503 hold full · `not-held`: the channel is unknown or its key revoked · `unavailable`: the store failed. */
export type KeepOutcome =
  | { kept: 'held'; seq: string }
  | { kept: 'full' | 'not-held' }
  | { kept: 'unavailable'; reason: string };

/** Counted in the relay's metrics. */
export interface HoldingEvents {
  drained(count: number): void;
  refused(reason: 'full' | 'unavailable'): void;
  dropped(count: number, reason: 'expired' | 'skipped' | 'revoked'): void;
}

export class RelayHolding {
  readonly #settings: HoldSettings;
  readonly #access: RelayAccess | undefined;
  readonly #log: RelayLogger;
  readonly #events: HoldingEvents;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(settings: HoldSettings, access: RelayAccess | undefined, log: RelayLogger, events: HoldingEvents) {
    this.#settings = settings;
    this.#access = access;
    this.#log = log;
    this.#events = events;
  }

  get store(): HoldStore {
    return this.#settings.store;
  }

  /** Keeps `delivery` if its channel is one to hold for; resolves once it is written. */
  async keep(delivery: NewHeldDelivery): Promise<KeepOutcome> {
    const { store, maxCount, maxBytes } = this.#settings;
    try {
      const known = await store.known(delivery.channel);
      // A channel whose key was revoked (or that has none, now that keys are required) holds nothing.
      if (!known || (this.#access && !this.#access.stillAdmits(known.keySha256 ?? undefined)))
        return { kept: 'not-held' };
      const outcome = await store.hold(delivery, { maxCount, maxBytes });
      if (outcome.held) return { kept: 'held', seq: outcome.seq };
      if (outcome.reason === 'unknown') return { kept: 'not-held' };
      this.#events.refused('full');
      return { kept: 'full' };
    } catch (err) {
      this.#events.refused('unavailable');
      return { kept: 'unavailable', reason: (err as Error).message };
    }
  }

  /** A listener holds `channel` (admitted with the key of that hash; undefined on an open relay). */
  remember(channel: string, keySha256: string | undefined): void {
    this.store
      .remember(channel, keySha256 ?? null)
      .catch((err: Error) =>
        this.#log('warn', `channel ${channel}: could not remember it in the hold store (${err.message})`, { channel }),
      );
  }

  /**
   * A drain of `channel`'s backlog to its listener, started with the listener's choice; it leaves
   * at most `buffer.maxQueuedBytes` waiting in the listener's send buffer.
   */
  drain(
    channel: string,
    choice: BacklogChoice,
    send: (frame: Buffer) => void,
    buffer?: { queuedBytes: () => number; maxQueuedBytes: number },
  ): BacklogDrain {
    const drain = new BacklogDrain({
      channel,
      store: this.store,
      send,
      ...buffer,
      holdForMs: this.#settings.holdForMs,
      log: this.#log,
      onDrained: (count) => this.#events.drained(count),
      onDropped: (count, why) => this.#events.dropped(count, why),
    });
    void drain.start(choice);
    return drain;
  }

  /** Drops what outlived --hold-for now and then (a sweep every minute, or sooner for a short --hold-for). */
  startSweeping(): void {
    const every = Math.min(60_000, Math.max(250, this.#settings.holdForMs / 4));
    this.#sweeper = setInterval(() => void this.sweep(), every);
    this.#sweeper.unref();
  }

  async sweep(now = Date.now()): Promise<void> {
    let expired: Array<{ channel: string; count: number }>;
    try {
      expired = await this.store.expire(now - this.#settings.holdForMs);
    } catch (err) {
      this.#log('warn', `expiring held deliveries failed: ${(err as Error).message}; retried at the next sweep`);
      return;
    }
    for (const { channel, count } of expired) {
      this.#events.dropped(count, 'expired');
      this.#log(
        'warn',
        `channel ${channel}: ${count} held deliveries expired (held over --hold-for ${formatSpan(this.#settings.holdForMs)}) and were dropped`,
        { channel, expired: count },
      );
    }
  }

  /** After the keys file changed: what the channels of revoked keys hold is dropped. */
  async dropRevoked(): Promise<void> {
    // While no key can be checked (the keys file gone or unreadable), nobody is admitted, but no key
    // was revoked either: what was answered 202 stays held until the file says otherwise.
    if (!this.#access || this.#access.closedBecause) return;
    try {
      for (const { channel, keySha256 } of await this.store.knownChannels()) {
        if (this.#access.stillAdmits(keySha256 ?? undefined)) continue;
        const count = await this.store.drop(channel);
        if (count === 0) continue;
        this.#events.dropped(count, 'revoked');
        this.#log('warn', `channel ${channel}: its key no longer admits it; ${count} held deliveries dropped`, {
          channel,
          dropped: count,
        });
      }
    } catch (err) {
      this.#log('warn', `dropping what revoked keys' channels hold failed: ${(err as Error).message}`);
    }
  }

  /** Every channel's count, and the oldest held delivery's arrival, for /metrics and /healthz. */
  async totals(): Promise<{ deliveries: number; oldestAt: number | null }> {
    const channels = await this.store.list();
    const oldest = channels.reduce<number | null>(
      (min, c) => (c.oldestAt !== null && (min === null || c.oldestAt < min) ? c.oldestAt : min),
      null,
    );
    return { deliveries: channels.reduce((n, c) => n + c.count, 0), oldestAt: oldest };
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.store.close();
  }
}
