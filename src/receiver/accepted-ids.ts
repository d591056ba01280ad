/**
 * Which delivery ids were already accepted (answered 2xx), this session or any earlier one, so a
 * repeat is flagged as a duplicate. Asking SQLite for every request costs more than the HMAC; so a
 * Bloom filter of every delivery id in the history answers the common case — a new id — from
 * memory, and only an id the filter may hold is looked up in the database. The filter is filled
 * from the delivery-id index in small slices between requests, so a large history neither delays
 * the start nor stalls answers; until it is full, lookups go to the database as before.
 * Other processes writing the same file (a second `listen`) are caught up with through SQLite's
 * data_version, checked at most every `CATCH_UP_MS`.
 */
import { GrowingBloomFilter } from '../core/bloom-filter.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import type { HistoryStore } from '../store/history-store.js';

type IdSource = Pick<
  HistoryStore,
  'hasReceived' | 'deliveryIdsAfter' | 'deliveryIdsSinceRow' | 'lastId' | 'dataVersion'
>;

/** Ids read from the index per slice: a few milliseconds of work at most. */
const SLICE = 5_000;
const CATCH_UP_MS = 20;
/** Ids kept in memory alone while the database takes none (damaged), before they are let go. */
const MAX_UNWRITTEN = 100_000;

export class AcceptedIds {
  readonly #store: IdSource;
  readonly #filter: GrowingBloomFilter;
  /** Accepted this session and perhaps not written yet, so the database cannot answer for them. */
  #unwritten = new Set<string>();
  /** Accepted this session and written to a spool file, not the database: memory answers for them. */
  #spooled = new Set<string>();
  #loaded = false;
  #onLoaded: Array<() => void> = [];
  #stopped = false;
  /** The newest row and the data version last seen, to catch up with other processes' rows. */
  #lastRow = 0;
  #dataVersion = 0;
  #checkedAt = 0;

  constructor(store: IdSource) {
    this.#store = store;
    try {
      this.#lastRow = store.lastId();
      this.#dataVersion = store.dataVersion();
    } catch {
      this.#stopped = true; // Unreadable now: every lookup goes to the database, which answers what it can.
    }
    // About one id per row: sized for the history as it is, growing beyond.
    this.#filter = new GrowingBloomFilter(Math.max(100_000, this.#lastRow * 1.25));
    this.#load('');
  }

  /** Whether a request with this delivery id was accepted before; a database that cannot be read answers "no". */
  has(deliveryId: string): boolean {
    if (this.#unwritten.has(deliveryId) || this.#spooled.has(deliveryId)) return true;
    try {
      if (this.#loaded) {
        this.#catchUp();
        if (!this.#filter.mightContain(deliveryId)) return false;
      }
      return this.#store.hasReceived(deliveryId);
    } catch {
      return false; // An unreadable database must not fail the request; the flag is then per session.
    }
  }

  /** Resolves once every delivery id of the history is in the filter (at once when it cannot be read). */
  whenLoaded(): Promise<void> {
    return this.#loaded || this.#stopped ? Promise.resolve() : new Promise((resolve) => this.#onLoaded.push(resolve));
  }

  /** Remembers an accepted id before its record is written. */
  add(deliveryId: string): void {
    this.#unwritten.add(deliveryId);
    this.#filter.add(deliveryId);
  }

  /**
   * Everything accepted so far is written: to the database, which answers for those ids from now
   * on, or (`inDatabase: false`: a damaged file, a full disk, a long lock) to a spool file, when
   * memory alone keeps them, up to `MAX_UNWRITTEN`.
   */
  written({ inDatabase }: { inDatabase: boolean }): void {
    if (!inDatabase) {
      if (this.#spooled.size + this.#unwritten.size > MAX_UNWRITTEN) this.#spooled.clear();
      for (const id of this.#unwritten) this.#spooled.add(id);
    }
    this.#unwritten.clear();
  }

  /** Records this process put into the database another way (imported from the spool). */
  addRecords(records: readonly DeliveryRecord[]): void {
    for (const record of records) if (record.deliveryId) this.#filter.add(record.deliveryId);
  }

  stop(): void {
    this.#stopped = true;
    this.#settle();
  }

  #settle(): void {
    for (const resolve of this.#onLoaded.splice(0)) resolve();
  }

  #load(after: string): void {
    if (this.#stopped) return;
    let ids: string[];
    try {
      ids = this.#store.deliveryIdsAfter(after, SLICE);
    } catch {
      // Locked or damaged: lookups keep going to the database.
      this.#stopped = true;
      return this.#settle();
    }
    for (const id of ids) this.#filter.add(id);
    if (ids.length < SLICE) {
      this.#loaded = true;
      return this.#settle();
    }
    setImmediate(() => this.#load(ids[ids.length - 1]!));
  }

  /** Adds the ids of rows another process committed since the last look. */
  #catchUp(): void {
    const now = performance.now();
    if (now - this.#checkedAt < CATCH_UP_MS) return;
    this.#checkedAt = now;
    // The newest row first: when the version is unchanged, every row up to it is this process's
    // own (already added), and the next scan need not read them again.
    const newest = this.#store.lastId();
    const version = this.#store.dataVersion();
    if (version === this.#dataVersion) {
      this.#lastRow = newest;
      return;
    }
    this.#dataVersion = version;
    const { ids, lastId } = this.#store.deliveryIdsSinceRow(this.#lastRow);
    for (const id of ids) this.#filter.add(id);
    this.#lastRow = lastId;
  }
}
