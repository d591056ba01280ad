/**
 * The inspector's live list and chart. It reads what reached the history rather than hooking into
 * the receiver: twice a second, while a page is connected, it asks the history for its newest row
 * id, and when rows arrived hands each page the newest that match its filter (at most
 * MAX_ROWS_PER_BATCH: at 2,000 requests a second a page gets two hundred rows a second to draw,
 * and how many it missed) and every page the traffic per second for its chart. So the receiver's
 * own path gains nothing, `inspect` reads a history another process writes the same way, and the
 * cost is a few indexed reads a tick, whatever the rate.
 */
import type { HistoryFilter, HistoryStore } from '../store/history-store.js';
import type { ActivityBatch, LiveBatch } from './wire.js';

export const TICK_MS = 500;
export const MAX_ROWS_PER_BATCH = 100;
/** The chart's past, sent when a page connects. */
export const ACTIVITY_PAST_MS = 120_000;

export interface LiveSubscriber {
  filter: HistoryFilter;
  /** The newest row the page has: it gets what came after. */
  after: number;
  rows(batch: LiveBatch): void;
  activity(batch: ActivityBatch): void;
  /** Reading the history failed (damaged, locked): what to show; the feed tries again next tick. */
  problem(message: string): void;
}

export class LiveFeed {
  readonly #store: HistoryStore;
  readonly #subscribers = new Set<LiveSubscriber>();
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** The newest row the chart has counted. */
  #counted = 0;

  constructor(store: HistoryStore, { tickMs = TICK_MS }: { tickMs?: number } = {}) {
    this.#store = store;
    this.#tickMs = tickMs;
  }

  /** Starts feeding `subscriber` (the chart's recent past at once); returns the unsubscribe. */
  subscribe(subscriber: LiveSubscriber): () => void {
    if (this.#subscribers.size === 0) this.#counted = this.#store.lastId();
    this.#subscribers.add(subscriber);
    subscriber.activity({ seconds: this.#store.activitySince(Date.now() - ACTIVITY_PAST_MS), reset: true });
    // A page whose first page is older than the newest row gets the difference on the next tick.
    this.#timer ??= setInterval(() => this.#tickSafely(), this.#tickMs);
    this.#timer.unref();
    return () => {
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0) this.stop();
    };
  }

  /** A tick whose failure is the pages' to show, never an exception in listen's process. */
  #tickSafely(): void {
    try {
      this.tick();
    } catch (err) {
      for (const subscriber of this.#subscribers) subscriber.problem((err as Error).message);
    }
  }

  /** Reads what arrived and hands it on; called by the timer (and by tests). */
  tick(): void {
    const lastId = this.#store.lastId();
    for (const subscriber of this.#subscribers) {
      if (subscriber.after >= lastId) continue;
      const range = { ...subscriber.filter, afterId: subscriber.after, beforeId: lastId + 1 };
      const rows = this.#store.list({ ...range, limit: MAX_ROWS_PER_BATCH });
      // Without a filter every row of the range matches: its size says how many were left out, no count needed.
      const filtered = Object.values(subscriber.filter).some((v) => v !== undefined);
      const matching =
        rows.length < MAX_ROWS_PER_BATCH
          ? rows.length
          : filtered
            ? this.#store.count(range)
            : lastId - subscriber.after;
      const skipped = matching - rows.length;
      subscriber.after = lastId;
      if (rows.length || skipped) subscriber.rows({ rows, skipped, lastId });
    }
    if (lastId > this.#counted) {
      const seconds = this.#store.activityBetween(this.#counted, lastId);
      this.#counted = lastId;
      for (const subscriber of this.#subscribers) subscriber.activity({ seconds, reset: false });
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
