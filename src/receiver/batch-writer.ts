/**
 * Writes batches of records into the history, keeping any batch the database refused (locked by
 * another process, disk full) and retrying it, so records are delayed but never dropped; on close,
 * what still cannot be written goes to the spool, which the next command imports. A damaged
 * database never heals, so from the first sign of damage every batch goes straight to the spool
 * (flushed at once: a killed process loses nothing more). The store should have a short busy
 * timeout: each attempt then costs the event loop milliseconds, not seconds.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { DamagedFileError } from '../store/damaged-file.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { openSpoolWithFallback, type SpoolWriter } from '../store/delivery-spool.js';
import type { HistoryStore } from '../store/history-store.js';

export interface BatchWriterResult {
  written: number;
  /** Records that went to the spool instead of the database. */
  spilled: number;
  /** The spool file they are in (beside the database, or the config directory's fallback). */
  spoolPath?: string;
  /** Set when the database is damaged: the error that names the file and the fix. */
  damage?: DamagedFileError;
  /** Records neither the database nor any spool file would take (both unwritable). */
  lost: number;
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
  #spilled = 0;
  #damage: DamagedFileError | undefined;
  #spool: SpoolWriter | undefined;
  #spoolPath: string | undefined;

  /**
   * `onProblem` hears when writing starts failing (a message) and recovers (null); `onFlushed`
   * runs each time everything handed over so far is in the database or the spool. A failure is
   * told only once it has lasted `reportAfterMs` (default 2 s): another process's lock usually
   * lasts less. Damage is told at once.
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

  /** Whether the database was found damaged (everything goes to the spool from then on). */
  get damaged(): boolean {
    return this.#damage !== undefined;
  }

  /** Writes `batch` (after anything still pending); returns how many records reached the database. */
  write(batch: readonly DeliveryRecord[]): number {
    if (batch.length) this.#pending = this.#pending.length ? this.#pending.concat(batch) : [...batch];
    return this.#tryWrite();
  }

  /** Retries for up to `retryMs` (none once damaged), then spills whatever is left to the spool. */
  async close(retryMs: number, { cutShort }: { cutShort?: Promise<unknown> } = {}): Promise<BatchWriterResult> {
    clearInterval(this.#retry);
    this.#retry = undefined;
    const deadline = Date.now() + retryMs;
    let hurry = false;
    void cutShort?.then(() => (hurry = true));
    this.#tryWrite();
    while (this.#pending.length && !this.#damage && !hurry && Date.now() < deadline) {
      await sleep(100);
      this.#tryWrite();
    }
    clearInterval(this.#retry);
    this.#spill();
    clearInterval(this.#retry);
    const lost = this.#pending.length;
    this.#pending = [];
    try {
      this.#spool?.close();
    } catch {
      // The records are in the .part file, which the next import takes once this process is gone.
    }
    this.#spool = undefined;
    return { written: this.#written, spilled: this.#spilled, spoolPath: this.#spoolPath, damage: this.#damage, lost };
  }

  #tryWrite(): number {
    if (this.#pending.length === 0) return 0;
    if (this.#damage) {
      this.#spill();
      return 0;
    }
    const batch = this.#pending;
    try {
      this.#store.insertMany(batch);
    } catch (err) {
      if (err instanceof DamagedFileError) {
        this.#damage = err;
        this.#spill();
        return 0;
      }
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

  /** Moves what is pending to the spool, flushed to the file before returning. */
  #spill(): void {
    if (this.#pending.length === 0) return;
    try {
      this.#spool ??= openSpoolWithFallback(this.#store.path);
      this.#spoolPath = this.#spool.path;
      for (const record of this.#pending) this.#spool.append(record);
      this.#spool.flush();
    } catch (err) {
      // Neither the spool nor its fallback takes them: keep them in memory and try again.
      this.#spool = undefined;
      this.#setProblem(
        `cannot write the history or its spool (${(err as Error).message}); requests are kept in memory and retried`,
      );
      this.#retry ??= setInterval(() => this.#tryWrite(), RETRY_INTERVAL_MS);
      return;
    }
    this.#spilled += this.#pending.length;
    this.#pending = [];
    if (this.#damage) this.#setProblem(describeDamage(this.#damage, this.#spoolPath!));
    this.#onFlushed();
  }

  #setProblem(problem: string | null): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#onProblem(problem);
  }
}

function describeDamage(damage: DamagedFileError, spoolPath: string): string {
  return `${damage.message}; requests go to ${spoolPath} instead, imported by the first command after the file is moved aside — ${damage.hint}`;
}

function describeWriteError(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return 'the history database is locked by another process; requests are kept in memory and written when it is free';
  if (code === 'SQLITE_FULL') return 'the disk is full; requests are kept in memory until they can be written';
  return `cannot write the history (${(err as Error).message}); requests are kept in memory and retried`;
}
