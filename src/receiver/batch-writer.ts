/**
 * Writes batches of records into the history. A batch the database refuses for a moment (locked
 * by another process) is kept and retried; one it cannot take (a full disk, an I/O error, a damaged
 * file) goes to the spool at once — beside the database, else the config directory's fallback
 * folder — which the next command imports. A `durable` write leaves nothing in memory: what the
 * database will not take now goes to the spool. When nothing can be written anywhere, `refusing`
 * says why (the receiver then answers 503 rather than accept what it cannot keep) and the writer
 * keeps retrying. The store should have a short busy timeout: each attempt then costs the event
 * loop milliseconds, not seconds.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { isSuccessStatus } from '../core/http-status.js';
import { DamagedFileError } from '../store/damaged-file.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { SpoolWithFallback } from '../store/delivery-spool.js';
import type { HistoryStore } from '../store/history-store.js';

/** What is wrong with writing the history, as the listener reports it. */
export interface WriteProblem {
  message: string;
  /** Nothing can be written anywhere: requests are answered 503 until that changes. */
  refusing: boolean;
}

export interface BatchWriterResult {
  written: number;
  /** Records that went to spool files instead of the database. */
  spilled: number;
  /** The spool file that holds them (the first, when there are several: see `spools`). */
  spoolPath?: string;
  /** Every spool file written, and how many records each holds. */
  spools?: Array<{ path: string; records: number }>;
  /** Set when the database is damaged: the error that names the file and the fix. */
  damage?: DamagedFileError;
  /** Why the database did not take the spilled records, when not locked or damaged (e.g. "the disk is full"). */
  failure?: string;
  /** Records kept nowhere: neither the database nor any spool file would take them (while nothing could be written, requests were counted, not kept). */
  lost: number;
  /** Of those, how many had been answered 2xx (the rest were refused with 503 and will be sent again). */
  lostAccepted?: number;
}

const RETRY_INTERVAL_MS = 250;
/** How often, while refusing, the writer checks whether the disk has room again. */
const PROBE_INTERVAL_MS = 1_000;

/** A received request answered 2xx: one the sender will not send again. */
export function isAccepted(record: DeliveryRecord): boolean {
  return record.direction === 'in' && isSuccessStatus(record.status);
}

export class BatchWriter {
  readonly #store: Pick<HistoryStore, 'insertMany' | 'path'>;
  readonly #onProblem: (problem: WriteProblem | null) => void;
  readonly #onFlushed: (where: { inDatabase: boolean }) => void;
  #pending: DeliveryRecord[] = [];
  /** How many of `#pending` are accepted (`isAccepted`). */
  #pendingAccepted = 0;
  #problem: WriteProblem | null = null;
  readonly #reportAfterMs: number;
  /** When the writes that are still failing started to fail. */
  #failingSince: number | null = null;
  #retry: NodeJS.Timeout | undefined;
  #written = 0;
  #spilled = 0;
  #dropped = 0;
  #damage: DamagedFileError | undefined;
  /** The database's last failure other than a lock, in words; cleared by a write that lands. */
  #failure: string | undefined;
  #refusing: string | null = null;
  readonly #spool: SpoolWithFallback;
  /** Whether to keep room set aside beside the database (see `SpoolWithFallback.reserve`). */
  readonly #reserve: boolean;
  #probe: NodeJS.Timeout | undefined;

  /**
   * `onProblem` hears when writing starts failing (a problem) and recovers (null); `onFlushed`
   * runs each time everything handed over so far is in the database or (`inDatabase: false`) a
   * spool file. A lock is told
   * only once it has lasted `reportAfterMs` (default 2 s): another process's lock usually lasts
   * less. Anything else is told at once. `reserve`: set room aside beside the database now, for
   * the accepted records held in memory when its disk fills (the listener does).
   */
  constructor(
    store: Pick<HistoryStore, 'insertMany' | 'path'>,
    events: {
      onProblem?: (problem: WriteProblem | null) => void;
      onFlushed?: (where: { inDatabase: boolean }) => void;
      reportAfterMs?: number;
      reserve?: boolean;
    } = {},
  ) {
    this.#store = store;
    this.#reportAfterMs = events.reportAfterMs ?? 2_000;
    this.#onProblem = events.onProblem ?? (() => {});
    this.#onFlushed = events.onFlushed ?? (() => {});
    this.#spool = new SpoolWithFallback(store.path);
    this.#reserve = events.reserve ?? false;
    if (this.#reserve) this.#spool.reserve();
  }

  get written(): number {
    return this.#written;
  }

  /** Nothing handed over is waiting to be written (it is all in the database or the spool). */
  get idle(): boolean {
    return this.#pending.length === 0;
  }

  /** Whether the database was found damaged (everything goes to the spool from then on). */
  get damaged(): boolean {
    return this.#damage !== undefined;
  }

  /**
   * The database was found damaged elsewhere (importing the spool): what is pending and everything
   * after goes to the spool, and the first spool write says so, as when a write finds the damage.
   */
  damagedBy(damage: DamagedFileError): void {
    if (this.#damage) return;
    this.#damage = damage;
    this.#stopRetrying();
    this.#spill();
  }

  /** Why nothing can be written anywhere (neither the database nor a spool file), or null. */
  get refusing(): string | null {
    return this.#refusing;
  }

  /** Accepted records (`isAccepted`) held in memory: in neither the database nor a spool file yet. */
  get heldAccepted(): number {
    return this.#pendingAccepted;
  }

  /**
   * Writes `batch` (after anything still pending); returns how many records reached the database.
   * `durable`: what the database does not take now goes to the spool rather than wait in memory.
   */
  write(batch: readonly DeliveryRecord[], { durable = false }: { durable?: boolean } = {}): number {
    // While nothing can be written, what was not accepted (the 503s, answered to be sent again)
    // is counted, not held: memory would fill, and a disk with room again would fill with it first.
    const kept = this.#refusing ? batch.filter(isAccepted) : batch;
    this.#dropped += batch.length - kept.length;
    if (kept.length) {
      this.#pending = this.#pending.length ? this.#pending.concat(kept) : [...kept];
      for (const record of kept) if (isAccepted(record)) this.#pendingAccepted++;
    }
    // While nothing can be written, the retries (not every batch) try again.
    if (this.#refusing && !durable) return 0;
    const written = this.#tryWrite();
    if (durable) this.#spill();
    return written;
  }

  /** Retries for up to `retryMs` (none once damaged), then spills whatever is left to the spool. */
  async close(retryMs: number, { cutShort }: { cutShort?: Promise<unknown> } = {}): Promise<BatchWriterResult> {
    this.#stopRetrying();
    clearInterval(this.#probe);
    this.#probe = undefined;
    const deadline = Date.now() + retryMs;
    let hurry = false;
    void cutShort?.then(() => (hurry = true));
    this.#tryWrite();
    while (this.#pending.length && !this.#damage && !hurry && Date.now() < deadline) {
      await sleep(100);
      if (this.#refusing) this.#probeRoom();
      else this.#tryWrite();
    }
    this.#spill();
    // The last spill may have started them again (nothing could be written): nothing is retried now.
    this.#stopRetrying();
    clearInterval(this.#probe);
    this.#probe = undefined;
    const lost = this.#pending.length + this.#dropped;
    const lostAccepted = this.#pendingAccepted;
    this.#pending = [];
    this.#pendingAccepted = 0;
    this.#spool.close();
    const spools = this.#spool.files;
    return {
      written: this.#written,
      spilled: this.#spilled,
      spoolPath: spools[0]?.path,
      spools,
      damage: this.#damage,
      failure: this.#failure,
      lost,
      lostAccepted,
    };
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
      if (isLock(err)) {
        // A lock passes: keep the batch and try again (a durable write or close() spools it meanwhile).
        if (Date.now() - this.#failingSince >= this.#reportAfterMs && !this.#refusing)
          this.#setProblem({ message: LOCKED, refusing: false });
        if (!this.#refusing) this.#retry ??= setInterval(() => this.#tryWrite(), RETRY_INTERVAL_MS);
        return 0;
      }
      // A full disk or an I/O error may last: the spool takes the batch now, not memory.
      this.#failure = describeWriteError(err);
      this.#spill();
      return 0;
    }
    this.#pending = [];
    this.#pendingAccepted = 0;
    this.#failingSince = null;
    this.#failure = undefined;
    this.#written += batch.length;
    this.#stopRetrying();
    this.#accepting();
    if (!this.#refusing) this.#setProblem(null);
    this.#onFlushed({ inDatabase: true });
    return batch.length;
  }

  /** Moves what is pending to a spool file (written to it before returning), or says nothing can be written. */
  #spill(): void {
    if (this.#pending.length === 0) return;
    const database = this.#damage ? 'is damaged' : `refuses them (${this.#failure ?? 'locked'})`;
    const reserved = this.#spool.reserved;
    let path: string;
    try {
      // Accepted requests were answered: when no folder takes them, the room set aside does.
      path = this.#spool.write(this.#pending, { useReserve: true });
    } catch (err) {
      // Neither the database nor any spool folder takes them: keep them, refuse new requests, retry.
      this.#refuse(`the history ${database}, and so do the spool folders (${(err as Error).message})`);
      return;
    }
    this.#spilled += this.#pending.length;
    this.#pending = [];
    this.#pendingAccepted = 0;
    this.#stopRetrying();
    if (reserved && !this.#spool.reserved)
      // The room set aside took them: the disk is full, so nothing more is accepted until it has room again.
      this.#refuse(`the history ${database}, and the disk holding its spool folder is full`);
    else this.#accepting();
    // While refusing, that is what is said; the records are safe in `path` either way.
    if (!this.#refusing && this.#damage)
      this.#setProblem({ message: describeDamage(this.#damage, path), refusing: false });
    else if (!this.#refusing && this.#failure)
      this.#setProblem({
        message: `cannot write the history (${this.#failure}); requests go to ${path} instead, imported by the next command that opens the history`,
        refusing: false,
      });
    this.#onFlushed({ inDatabase: false });
  }

  /**
   * Nothing can be written: said once, loudly; requests are refused until the disk has room
   * again, which a probe checks now and then (rather than retrying every write, which on a full
   * disk costs more the more is held).
   */
  #refuse(why: string): void {
    const announced = this.#refusing !== null;
    this.#refusing = `nothing can be written: ${why}`;
    if (!announced)
      this.#setProblem({
        message: `${this.#refusing} — answering requests 503 with Retry-After until space is freed`,
        refusing: true,
      });
    this.#stopRetrying();
    this.#probe ??= setInterval(() => this.#probeRoom(), PROBE_INTERVAL_MS);
  }

  /**
   * Writes land again: accept requests again, once room is set aside again (a disk that took a
   * write may still be nearly full). The refusal is taken back; other problems are the caller's.
   */
  #accepting(): void {
    if (!this.#refusing) return;
    if (this.#reserve && !this.#spool.reserve()) return;
    this.#refusing = null;
    clearInterval(this.#probe);
    this.#probe = undefined;
    this.#setProblem(null);
  }

  /** While refusing: once room can be set aside again, what is held is written and requests are accepted. */
  #probeRoom(): void {
    if (this.#reserve && !this.#spool.reserve()) return;
    if (this.#pending.length) this.#tryWrite();
    else this.#accepting();
  }

  #stopRetrying(): void {
    clearInterval(this.#retry);
    this.#retry = undefined;
  }

  #setProblem(problem: WriteProblem | null): void {
    if (problem?.message === this.#problem?.message && problem?.refusing === this.#problem?.refusing) return;
    this.#problem = problem;
    this.#onProblem(problem);
  }
}

const LOCKED =
  'the history database is locked by another process; requests are kept in memory and written when it is free';

function isLock(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function describeDamage(damage: DamagedFileError, spoolPath: string): string {
  return `${damage.message}; requests go to ${spoolPath} instead, imported by the first command after the file is moved aside — ${damage.hint}`;
}

function describeWriteError(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'the disk is full';
  return (err as Error).message;
}
