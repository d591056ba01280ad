/**
 * Batched recording of received requests into the history. A request is queued before it is
 * answered and written within `flushIntervalMs` in one transaction; `close()` writes whatever is
 * left, so nothing that got an answer is lost on Ctrl-C or SIGTERM. A locked database only delays
 * the writes (see BatchWriter). However the database fares, no more than
 * `MAX_ACCEPTED_UNWRITTEN` accepted requests are ever held in memory alone: reaching that many
 * writes them at once, to the database or else a spool file, so a `kill -9` loses at most that many.
 */
import { DamagedFileError } from '../store/damaged-file.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { spoolRecords } from '../store/delivery-spool.js';
import type { HistoryStore } from '../store/history-store.js';
import { AcceptedIds } from './accepted-ids.js';
import { BatchWriter, type BatchWriterResult, isAccepted, type WriteProblem } from './batch-writer.js';
import type { ForwardResult } from './forwarder.js';

/**
 * The most requests answered 2xx that exist in memory alone at any moment (queued, or kept back
 * by a locked database): what a `kill -9` can lose at worst. Reaching it writes them at once.
 */
export const MAX_ACCEPTED_UNWRITTEN = 256;

export interface RecorderOptions {
  flushIntervalMs?: number;
  /** Hands a batch over as soon as this many are queued, without waiting for the timer. */
  batchSize?: number;
  /** How long `close()` keeps retrying a locked database before spilling to the spool. */
  closeRetryMs?: number;
  /** Told once each time writing starts or stops failing (e.g. "database is locked"). */
  onWriteProblem?: (problem: WriteProblem | null) => void;
  /** A failure is told only once it has lasted this long: another process's lock usually lasts less. */
  reportAfterMs?: number;
  /** Set room aside beside the database for the accepted requests held in memory when its disk fills. */
  reserveRoom?: boolean;
  /** `--app-down hold`: a held delivery the app refused once passed on (its record carries why). */
  onAppRefused?: (record: DeliveryRecord) => void;
}

/** What `close()` reports: records written, spilled to the spool (and where), and why. */
export type RecorderSummary = BatchWriterResult;

export class HistoryRecorder {
  readonly #store: HistoryStore;
  readonly #batchSize: number;
  readonly #closeRetryMs: number;
  readonly #timer: NodeJS.Timeout;
  readonly #writer: BatchWriter;
  #queue: DeliveryRecord[] = [];
  /** How many of `#queue` are accepted (`isAccepted`). */
  #queuedAccepted = 0;
  readonly #acceptedIds: AcceptedIds;
  #closed = false;
  /** `whenWritten` callers: waiting for the next flush, then for that batch to be written. */
  #waiting: Array<() => void> = [];
  #handedOver: Array<() => void> = [];
  #flushSoon: NodeJS.Immediate | undefined;
  /** Held for an app that was down and passed on since: their rows' marks are cleared once written. */
  #passedOn: DeliveryRecord[] = [];
  readonly #onAppRefused: ((record: DeliveryRecord) => void) | undefined;

  constructor(store: HistoryStore, options: RecorderOptions = {}) {
    this.#store = store;
    this.#onAppRefused = options.onAppRefused;
    this.#batchSize = options.batchSize ?? 1000;
    this.#closeRetryMs = options.closeRetryMs ?? 30_000;
    this.#acceptedIds = new AcceptedIds(store);
    this.#writer = new BatchWriter(store, {
      onProblem: options.onWriteProblem,
      // Only when nothing is left in the queue (a retried batch may land while newer ones wait);
      // records in a spool file are not in the database: only memory knows their ids.
      onFlushed: ({ inDatabase }) => {
        if (this.#queue.length === 0) this.#acceptedIds.written({ inDatabase });
        this.#settleHandedOver();
      },
      reportAfterMs: options.reportAfterMs,
      reserve: options.reserveRoom,
    });
    this.#timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 50);
    this.#timer.unref();
  }

  /** Whether a request with this delivery id was accepted before, this session or any earlier one. */
  wasAccepted(deliveryId: string): boolean {
    return this.#acceptedIds.has(deliveryId);
  }

  /** Remembers an accepted delivery id before its record is written, for `wasAccepted`. */
  markAccepted(deliveryId: string): void {
    this.#acceptedIds.add(deliveryId);
  }

  /** Why nothing can be written (the disk is full everywhere), or null: then no request may be accepted. */
  get cannotKeep(): string | null {
    return this.#writer.refusing;
  }

  /** After `close()`: nothing more can be recorded. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Gives records already handed over the doctor's verdict: those not yet written carry it into
   * the history, and those written are updated. A locked or damaged file keeps the rows as they are.
   */
  annotate(records: readonly DeliveryRecord[], diagnosis: string): void {
    for (const r of records) r.diagnosis = diagnosis;
    const ids = records.flatMap((r) => (r.deliveryId ? [r.deliveryId] : []));
    if (ids.length === 0 || this.#closed) return;
    try {
      this.#store.setDiagnosis(ids, diagnosis);
    } catch {
      // The verdict still reaches the screen, and every later rejection on the route carries it.
    }
  }

  record(record: DeliveryRecord): void {
    if (this.#closed) {
      // A request answered after shutdown began (one that outlived the grace period): the spool
      // takes it, so it still reaches the history.
      try {
        spoolRecords(this.#store.path, [record]);
      } catch {
        // No disk takes it, and the summary is given: nothing more can be done for it.
      }
      return;
    }
    this.#queue.push(record);
    if (isAccepted(record)) this.#queuedAccepted++;
    if (this.#queuedAccepted + this.#writer.heldAccepted >= MAX_ACCEPTED_UNWRITTEN) this.flush({ durable: true });
    else if (this.#queue.length >= this.#batchSize) this.flush();
  }

  /** Hands the queue to the writer; `durable`: what the database does not take now goes to the spool. */
  flush({ durable = false }: { durable?: boolean } = {}): void {
    clearImmediate(this.#flushSoon);
    this.#flushSoon = undefined;
    // Those waiting are settled once this batch (and anything before it) is written.
    if (this.#waiting.length) {
      this.#handedOver.push(...this.#waiting);
      this.#waiting = [];
    }
    if (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      this.#queuedAccepted = 0;
      this.#writer.write(batch, { durable });
    }
    if (this.#writer.idle) {
      this.#settleHandedOver();
      this.#markPassedOn();
    }
  }

  /**
   * `record`, held for an app that was down (`--app-down hold`), reached the app: its row is no
   * longer marked held. A record not written yet is changed before it is; one already written,
   * in the database (retried while the database is locked).
   */
  passedOn(record: DeliveryRecord, result: ForwardResult): void {
    record.appHeld = false;
    record.forwarded = true;
    // The sender was answered 202 for the app; an app that then refused it is kept in the row.
    const status = result.response.status;
    if (status < 200 || status > 299) record.error = appRefusal(status, result);
    this.#passedOn.push(record);
    if (record.error && (status < 200 || status > 299)) this.#onAppRefused?.(record);
  }

  #markPassedOn(): void {
    if (this.#passedOn.length === 0 || this.#writer.damaged) return;
    try {
      // One not found yet went to the spool (a full disk): marked once an import brings it in,
      // else the next `listen --app-down hold` would pass it on again.
      this.#passedOn = this.#store.markPassedOn(this.#passedOn);
    } catch {
      // Locked: the next flush tries again.
    }
  }

  /**
   * Resolves once every record queued so far is in the database or the spool. The queue is
   * written at the end of this turn rather than at the next tick of the timer, so what waits
   * (the relay's acknowledgement of a held delivery) waits milliseconds.
   */
  whenWritten(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#flushSoon ??= setImmediate(() => this.flush());
    });
  }

  #settleHandedOver(): void {
    const settled = this.#handedOver;
    this.#handedOver = [];
    for (const resolve of settled) resolve();
  }

  /**
   * Picks up what `trigger` appended to the spool meanwhile (best effort; retried later). Returns
   * the names of the files imported (without folder and extension), with how many records each held.
   * A damaged file found here is found for good: from then on every record goes to the spool.
   */
  importSpool(): Map<string, number> {
    const imported = new Map<string, number>();
    // A damaged file takes nothing: the spool keeps its records until the file is moved aside.
    if (this.#writer.damaged) return imported;
    try {
      this.#store.importSpool((records, file) => {
        this.#acceptedIds.addRecords(records);
        imported.set(file, records.length);
      });
      if (imported.size > 0) this.#markPassedOn();
    } catch (err) {
      // A damaged file never heals: stop trying it now, as a failed write would.
      if (err instanceof DamagedFileError) this.#writer.damagedBy(err);
      // A locked database or a half-written file: the next import takes it.
    }
    return imported;
  }

  /**
   * Writes everything still queued, retrying a locked database for up to `retryMs` (default
   * `closeRetryMs`; until `cutShort` resolves), then spills any remainder to the spool (imported
   * by the next command that opens the history).
   */
  async close({
    retryMs = this.#closeRetryMs,
    cutShort,
  }: {
    retryMs?: number;
    cutShort?: Promise<unknown>;
  } = {}): Promise<RecorderSummary> {
    if (this.#closed) return { written: 0, spilled: 0, lost: 0, lostAccepted: 0, spools: [] };
    clearInterval(this.#timer);
    this.#acceptedIds.stop();
    this.flush();
    this.#markPassedOn();
    this.#closed = true;
    const summary = await this.#writer.close(retryMs, { cutShort });
    // Written or spooled by now, unless neither took some: then nobody is told they are safe.
    if (summary.lost === 0) this.#settleHandedOver();
    return summary;
  }
}

/** Why a held delivery passed on to the app did not take: its status and the first line of its answer. */
export function appRefusal(status: number, result: ForwardResult): string {
  const firstLine = result.error ?? result.response.body.toString('utf8').split('\n', 1)[0]!.slice(0, 200);
  return `passed on to the app, which answered ${status}${firstLine ? ` (${firstLine})` : ''}`;
}
