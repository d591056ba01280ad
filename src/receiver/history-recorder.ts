/**
 * Batched recording of received requests into the history. A request is queued before it is
 * answered and written within `flushIntervalMs` in one transaction; `close()` writes whatever is
 * left, so nothing that got an answer is lost on Ctrl-C or SIGTERM. A locked database only delays
 * the writes (see BatchWriter).
 */
import type { DeliveryRecord } from '../store/delivery-record.js';
import { openSpoolWithFallback } from '../store/delivery-spool.js';
import type { HistoryStore } from '../store/history-store.js';
import { AcceptedIds } from './accepted-ids.js';
import { BatchWriter, type BatchWriterResult } from './batch-writer.js';

export interface RecorderOptions {
  flushIntervalMs?: number;
  /** Hands a batch over as soon as this many are queued, without waiting for the timer. */
  batchSize?: number;
  /** How long `close()` keeps retrying a locked database before spilling to the spool. */
  closeRetryMs?: number;
  /** Told once each time writing starts or stops failing (e.g. "database is locked"). */
  onWriteProblem?: (problem: string | null) => void;
  /** A failure is told only once it has lasted this long: another process's lock usually lasts less. */
  reportAfterMs?: number;
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
  readonly #acceptedIds: AcceptedIds;
  #closed = false;

  constructor(store: HistoryStore, options: RecorderOptions = {}) {
    this.#store = store;
    this.#batchSize = options.batchSize ?? 1000;
    this.#closeRetryMs = options.closeRetryMs ?? 30_000;
    this.#acceptedIds = new AcceptedIds(store);
    this.#writer = new BatchWriter(store, {
      onProblem: options.onWriteProblem,
      // Only when nothing is left in the queue (a retried batch may land while newer ones wait);
      // a damaged file takes nothing: the spool has the records, and only memory knows their ids.
      onFlushed: () => {
        if (this.#queue.length === 0) this.#acceptedIds.written({ inDatabase: !this.#writer.damaged });
      },
      reportAfterMs: options.reportAfterMs,
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
      const spool = openSpoolWithFallback(this.#store.path);
      spool.append(record);
      spool.close();
      return;
    }
    this.#queue.push(record);
    if (this.#queue.length >= this.#batchSize) this.flush();
  }

  /** Hands the queue to the writer. */
  flush(): void {
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#writer.write(batch);
  }

  /** Picks up what `trigger` appended to the spool meanwhile (best effort; retried later). */
  importSpool(): void {
    // A damaged file takes nothing: the spool keeps its records until the file is moved aside.
    if (this.#writer.damaged) return;
    try {
      this.#store.importSpool((records) => this.#acceptedIds.addRecords(records));
    } catch {
      // A locked database or a half-written file: the next import takes it.
    }
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
    if (this.#closed) return { written: 0, spilled: 0, lost: 0 };
    clearInterval(this.#timer);
    this.#acceptedIds.stop();
    this.flush();
    this.#closed = true;
    return this.#writer.close(retryMs, { cutShort });
  }
}
