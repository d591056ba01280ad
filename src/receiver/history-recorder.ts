/**
 * Batched recording of received requests into the history. A request is queued before it is
 * answered and written within `flushIntervalMs`; `close()` writes whatever is left, so nothing that
 * got an answer is lost on Ctrl-C or SIGTERM. A database locked by another process only delays the
 * writes: the queue is kept and retried, and as a last resort spilled to the spool, never dropped.
 */
import type { DeliveryRecord } from '../store/delivery-record.js';
import { JournalWriter } from '../store/delivery-journal.js';
import type { HistoryStore } from '../store/history-store.js';

export interface RecorderOptions {
  flushIntervalMs?: number;
  /** Writes as soon as this many are queued, without waiting for the timer. */
  batchSize?: number;
  /** How long `close()` keeps retrying a locked database before spilling to the spool. */
  closeRetryMs?: number;
  /** Told once each time writing starts or stops failing (e.g. "database is locked"). */
  onWriteProblem?: (problem: string | null) => void;
  /** A failure is told only once it has lasted this long: another process's lock usually lasts less. */
  reportAfterMs?: number;
}

/** Delivery ids remembered in memory before the set is cleared (they are in the database by then). */
const MAX_REMEMBERED_IDS = 100_000;

export class HistoryRecorder {
  readonly #store: HistoryStore;
  readonly #batchSize: number;
  readonly #closeRetryMs: number;
  readonly #onWriteProblem: (problem: string | null) => void;
  readonly #reportAfterMs: number;
  readonly #timer: NodeJS.Timeout;
  #queue: DeliveryRecord[] = [];
  /** Ids accepted this session, so a repeat is caught before the first one's record is written. */
  #acceptedIds = new Set<string>();
  #problem: string | null = null;
  /** When the writes that are still failing started to fail. */
  #failingSince: number | null = null;
  #written = 0;
  #closed = false;

  constructor(store: HistoryStore, options: RecorderOptions = {}) {
    this.#store = store;
    this.#batchSize = options.batchSize ?? 1000;
    this.#closeRetryMs = options.closeRetryMs ?? 30_000;
    this.#onWriteProblem = options.onWriteProblem ?? (() => {});
    this.#reportAfterMs = options.reportAfterMs ?? 2_000;
    this.#timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 50);
    this.#timer.unref();
  }

  /** How many records reached the database so far. */
  get written(): number {
    return this.#written;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Whether a request with this delivery id was accepted before, this session or any earlier one. */
  wasAccepted(deliveryId: string): boolean {
    if (this.#acceptedIds.has(deliveryId)) return true;
    try {
      return this.#store.hasReceived(deliveryId);
    } catch {
      return false; // An unreadable database must not fail the request; the flag is then per session.
    }
  }

  /** Remembers an accepted delivery id before its record is written, for `wasAccepted`. */
  markAccepted(deliveryId: string): void {
    this.#acceptedIds.add(deliveryId);
  }

  record(record: DeliveryRecord): void {
    if (this.#closed) throw new Error('the history recorder is closed');
    this.#queue.push(record);
    if (this.#queue.length >= this.#batchSize) this.flush();
  }

  /** Writes the queue in one transaction; on failure keeps it for the next try. Returns success. */
  flush(): boolean {
    if (this.#queue.length === 0) return true;
    const batch = this.#queue;
    this.#queue = [];
    try {
      this.#store.insertMany(batch);
    } catch (err) {
      this.#queue = batch.concat(this.#queue);
      this.#failingSince ??= Date.now();
      if (Date.now() - this.#failingSince >= this.#reportAfterMs) this.#setProblem(describeWriteError(err));
      return false;
    }
    this.#written += batch.length;
    this.#failingSince = null;
    this.#setProblem(null);
    if (this.#acceptedIds.size > MAX_REMEMBERED_IDS && this.#queue.length === 0) this.#acceptedIds.clear();
    return true;
  }

  /** Picks up what `trigger` appended to the spool meanwhile (best effort; retried later). */
  importSpool(): void {
    try {
      this.#store.importSpool();
    } catch {
      // A locked database or a half-written file: the next import takes it.
    }
  }

  /**
   * Writes everything still queued, retrying a locked database for up to `closeRetryMs`, then
   * spills any remainder to the spool (imported by the next command that opens the history).
   * Returns how many records were spilled.
   */
  async close(): Promise<number> {
    if (this.#closed) return 0;
    this.#closed = true;
    clearInterval(this.#timer);
    const deadline = Date.now() + this.#closeRetryMs;
    while (!this.flush() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (this.#queue.length === 0) return 0;
    const spilled = this.#queue.length;
    const journal = new JournalWriter(this.#store.path).open();
    for (const record of this.#queue) journal.append(record);
    journal.close();
    this.#queue = [];
    return spilled;
  }

  #setProblem(problem: string | null): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#onWriteProblem(problem);
  }
}

function describeWriteError(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'the history database is locked by another process; requests are kept in memory and written when it is free';
  if (code === 'SQLITE_FULL') return 'the disk is full; requests are kept in memory until it can be written';
  return `cannot write the history (${(err as Error).message}); requests are kept in memory and retried`;
}
