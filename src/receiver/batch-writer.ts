/**
 * Writes batches of records into the history, keeping any batch the database refused (locked by
 * another process, disk full) and retrying it, so records are delayed but never dropped; on close,
 * what still cannot be written goes to the spool, which the next command imports. The store should
 * have a short busy timeout: each attempt then costs the event loop milliseconds, not seconds.
 */
import type { DeliveryRecord } from '../store/delivery-record.js';
import { SpoolWriter } from '../store/delivery-spool.js';
import type { HistoryStore } from '../store/history-store.js';

export interface BatchWriterResult {
  written: number;
  spilled: number;
}

const RETRY_INTERVAL_MS = 250;

export class BatchWriter {
  readonly #store: Pick<HistoryStore, 'insertMany' | 'path'>;
  readonly #onProblem: (problem: string | null) => void;
  readonly #onFlushed: () => void;
  #pending: DeliveryRecord[] = [];
  #problem: string | null = null;
  readonly #reportAfterMs: number;
  /** When the writes that are still failing started to fail. */
  #failingSince: number | null = null;
  #retry: NodeJS.Timeout | undefined;
  #written = 0;

  /**
   * `onProblem` hears when writing starts failing (a message) and recovers (null); `onFlushed`
   * runs each time everything handed over so far is in the database. A failure is told only once
   * it has lasted `reportAfterMs` (default 2 s): another process's lock usually lasts less.
   */
  constructor(
    store: Pick<HistoryStore, 'insertMany' | 'path'>,
    events: { onProblem?: (problem: string | null) => void; onFlushed?: () => void; reportAfterMs?: number } = {},
  ) {
    this.#store = store;
    this.#reportAfterMs = events.reportAfterMs ?? 2_000;
    this.#onProblem = events.onProblem ?? (() => {});
    this.#onFlushed = events.onFlushed ?? (() => {});
  }

  get written(): number {
    return this.#written;
  }

  /** Writes `batch` (after anything still pending); returns how many records reached the database. */
  write(batch: readonly DeliveryRecord[]): number {
    if (batch.length) this.#pending = this.#pending.length ? this.#pending.concat(batch) : [...batch];
    return this.#tryWrite();
  }

  /** Retries for up to `retryMs`, then spills whatever is left to the spool. */
  async close(retryMs: number): Promise<BatchWriterResult> {
    clearInterval(this.#retry);
    this.#retry = undefined;
    const deadline = Date.now() + retryMs;
    this.#tryWrite();
    while (this.#pending.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      this.#tryWrite();
    }
    clearInterval(this.#retry);
    const spilled = this.#pending.length;
    if (spilled) {
      const spool = new SpoolWriter(this.#store.path).open();
      for (const record of this.#pending) spool.append(record);
      spool.close();
      this.#pending = [];
    }
    return { written: this.#written, spilled };
  }

  #tryWrite(): number {
    if (this.#pending.length === 0) return 0;
    const batch = this.#pending;
    try {
      this.#store.insertMany(batch);
    } catch (err) {
      this.#failingSince ??= Date.now();
      if (Date.now() - this.#failingSince >= this.#reportAfterMs) this.#setProblem(describeWriteError(err));
      this.#retry ??= setInterval(() => this.#tryWrite(), RETRY_INTERVAL_MS);
      return 0;
    }
    this.#pending = [];
    this.#failingSince = null;
    this.#written += batch.length;
    clearInterval(this.#retry);
    this.#retry = undefined;
    this.#setProblem(null);
    this.#onFlushed();
    return batch.length;
  }

  #setProblem(problem: string | null): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#onProblem(problem);
  }
}

function describeWriteError(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'the history database is locked by another process; requests are kept in memory and written when it is free';
  if (code === 'SQLITE_FULL') return 'the disk is full; requests are kept in memory until they can be written';
  return `cannot write the history (${(err as Error).message}); requests are kept in memory and retried`;
}
