/**
 * Hands one connected listener the deliveries its channel's relay held while it was away: in
 * arrival order, at most `window` unacknowledged at a time, each forgotten only when the listener
 * acknowledges it (it is then in its history). A listener that drops mid-way gets the rest —
 * and those it had not acknowledged — on its next connection: at least once from the relay; the
 * listener's delivery-id check makes it exactly once in the history. Live deliveries keep going
 * straight to the listener meanwhile; only the backlog's own order is kept.
 */
import { formatSpan } from '../format/display.js';
import type { HoldStore } from '../store/hold-store.js';
import { type BacklogFrame, encodeFrame } from '../tunnel/frame-codec.js';
import type { RelayLogger } from './relay-options.js';

/** What the listener asked for (`listen --backlog`): everything, nothing, or only what was held at most `ms`. */
export type BacklogChoice = { take: 'all' } | { take: 'none' } | { take: 'newest'; ms: number };

/** The listener's `backlog` connect parameter; undefined when it sent none (a listener that takes no held deliveries). */
export function backlogChoice(value: string | null): BacklogChoice | undefined {
  if (value === null) return undefined;
  if (value === 'none') return { take: 'none' };
  if (/^\d+$/.test(value) && Number(value) > 0) return { take: 'newest', ms: Number(value) };
  return { take: 'all' };
}

export interface BacklogDrainOptions {
  channel: string;
  store: HoldStore;
  /** Sends one frame down the listener's WebSocket. */
  send: (frame: Buffer) => void;
  /** Deliveries held longer than this are expired rather than sent. */
  holdForMs: number;
  /** Unacknowledged deliveries in flight at most. */
  window?: number;
  /**
   * Bytes waiting in the listener's send buffer, and how many the backlog may leave there: past
   * it, the drain waits for acknowledgements, so a listener that reads slowly never makes the
   * relay keep its whole backlog in memory, and live deliveries keep room to pass.
   */
  queuedBytes?: () => number;
  maxQueuedBytes?: number;
  log: RelayLogger;
  /** `count` held deliveries reached the listener's history. */
  onDrained?: (count: number) => void;
  /** `count` held deliveries were dropped: past --hold-for, or skipped at the listener's --backlog. */
  onDropped?: (count: number, why: 'expired' | 'skipped') => void;
}

const WINDOW = 256;
/** After a failed read of the store (a lock held too long, a busy disk), the drain tries again this soon. */
const RETRY_MS = 1_000;

export class BacklogDrain {
  readonly #options: BacklogDrainOptions;
  readonly #window: number;
  /** Sent and not acknowledged yet, by sequence number. */
  readonly #inFlight = new Set<string>();
  /** The last sequence number sent; reading resumes after it. */
  #cursor: string | undefined;
  #round: { delivered: number; maxHeldMs: number; skipped: number } | undefined;
  #skipped = 0;
  #pumping = false;
  #again = false;
  #stopped = false;

  constructor(options: BacklogDrainOptions) {
    this.#options = options;
    this.#window = options.window ?? WINDOW;
  }

  /** Applies the listener's choice (dropping what it skips), then starts sending. */
  async start(choice: BacklogChoice): Promise<void> {
    const { store, channel } = this.#options;
    try {
      if (choice.take === 'none') this.#skipped = await store.drop(channel);
      if (choice.take === 'newest')
        this.#skipped = (await store.expire(Date.now() - choice.ms, channel)).reduce((n, e) => n + e.count, 0);
    } catch (err) {
      this.#warn(`could not drop the held deliveries the listener skips: ${(err as Error).message}`);
    }
    if (this.#skipped > 0) {
      this.#options.onDropped?.(this.#skipped, 'skipped');
      const which =
        choice.take === 'none' ? 'all of them' : `those held over ${formatSpan((choice as { ms: number }).ms)}`;
      this.#options.log(
        'info',
        `channel ${channel}: ${this.#skipped} held deliveries dropped, as its listener asked (${which})`,
        {
          channel,
          skipped: this.#skipped,
        },
      );
    }
    await this.poke();
  }

  /** Sends whatever is held and not sent yet (after a start, an acknowledgement, or a hold elsewhere). */
  async poke(): Promise<void> {
    if (this.#stopped) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        await this.#pump();
      } while (this.#again && !this.#stopped);
    } catch (err) {
      this.#warn(`reading held deliveries failed: ${(err as Error).message}; retried in ${RETRY_MS / 1000} s`);
      // Nothing in flight means no acknowledgement will come to try again: a timer does.
      setTimeout(() => void this.poke(), RETRY_MS).unref();
    } finally {
      this.#pumping = false;
    }
  }

  /** The listener has these in its history: forget them, send more. */
  async ack(seqs: readonly string[]): Promise<void> {
    const done = seqs.filter((seq) => this.#inFlight.delete(seq));
    if (done.length === 0) return;
    if (this.#round) this.#round.delivered += done.length;
    this.#options.onDrained?.(done.length);
    try {
      await this.#options.store.remove(this.#options.channel, done);
    } catch (err) {
      // They stay held and are sent again next time; the listener recognises their delivery ids.
      this.#warn(`could not forget ${done.length} delivered held deliveries: ${(err as Error).message}`);
    }
    await this.poke();
  }

  /** The listener is gone: nothing more is sent; what it did not acknowledge stays held. */
  stop(): void {
    this.#stopped = true;
  }

  async #pump(): Promise<void> {
    const { store, channel, holdForMs } = this.#options;
    if (!this.#round) {
      const held = await store.holding(channel);
      if (held.count === 0) {
        if (this.#skipped > 0)
          this.#frame({ state: 'done', count: 0, delivered: 0, maxHeldMs: 0, skipped: this.#skipped });
        this.#skipped = 0;
        return;
      }
      this.#round = { delivered: 0, maxHeldMs: 0, skipped: this.#skipped };
      this.#frame({
        state: 'start',
        count: held.count,
        skipped: this.#skipped,
        oldestHeldMs: Math.max(0, Date.now() - (held.oldestAt ?? Date.now())),
      });
    }
    let exhausted = false;
    let buffered = false;
    while (!this.#stopped && !buffered && this.#inFlight.size < this.#window) {
      const page = await store.read(channel, this.#cursor, this.#window - this.#inFlight.size);
      if (page.length === 0) {
        exhausted = true;
        break;
      }
      const now = Date.now();
      const expired: string[] = [];
      for (const held of page) {
        // One always goes while none is in flight, whatever its size; the next waits for an acknowledgement.
        if (this.#inFlight.size > 0 && this.#bufferFull()) {
          buffered = true;
          break;
        }
        this.#cursor = held.seq;
        if (held.receivedAt < now - holdForMs) {
          expired.push(held.seq);
          continue;
        }
        const heldMs = Math.max(0, now - held.receivedAt);
        this.#round.maxHeldMs = Math.max(this.#round.maxHeldMs, heldMs);
        this.#inFlight.add(held.seq);
        const { channel: _channel, ...fields } = held;
        this.#options.send(encodeFrame({ kind: 'held', ...fields, heldMs }));
      }
      if (expired.length) await this.#expired(expired);
    }
    if (exhausted && this.#inFlight.size === 0 && !this.#stopped) {
      const round = this.#round;
      this.#round = undefined;
      this.#skipped = 0;
      this.#frame({
        state: 'done',
        count: round.delivered,
        skipped: round.skipped,
        delivered: round.delivered,
        maxHeldMs: round.maxHeldMs,
      });
      if (round.delivered > 0)
        this.#options.log(
          'info',
          `channel ${channel}: ${round.delivered} held deliveries handed to its listener (held up to ${formatSpan(round.maxHeldMs)})`,
          { channel, drained: round.delivered },
        );
    }
  }

  async #expired(seqs: string[]): Promise<void> {
    const count = await this.#options.store.remove(this.#options.channel, seqs);
    if (count === 0) return;
    this.#options.onDropped?.(count, 'expired');
    this.#options.log(
      'warn',
      `channel ${this.#options.channel}: ${count} held deliveries expired (held over --hold-for ${formatSpan(this.#options.holdForMs)}) and were dropped`,
      { channel: this.#options.channel, expired: count },
    );
  }

  #bufferFull(): boolean {
    const { queuedBytes, maxQueuedBytes } = this.#options;
    return queuedBytes !== undefined && maxQueuedBytes !== undefined && queuedBytes() >= maxQueuedBytes;
  }

  #frame(fields: Omit<BacklogFrame, 'kind'>): void {
    if (this.#stopped) return;
    this.#options.send(encodeFrame({ kind: 'backlog', ...fields }));
  }

  #warn(message: string): void {
    this.#options.log('warn', `channel ${this.#options.channel}: ${message}`, { channel: this.#options.channel });
  }
}
