/**
 * The delivery history: one SQLite file (WAL), opened through this module only.
 * Nothing else in the tool writes SQL against it.
 */

import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { eventFilterGlob } from '../core/event-pattern.js';
import type { SchemaIssue } from '../core/schema-issue.js';
import { UserError } from '../errors.js';
import { DamagedFileError, knownDamage } from './damaged-file.js';
import type { DeliveryRecord, DeliverySummary, Direction, HeaderMap } from './delivery-record.js';
import { importSpool, spoolDirectory, spoolRecords } from './delivery-spool.js';
import { MIGRATIONS } from './migrations.js';
import { runMigrations, schemaVersion } from './schema-migrations.js';
import { guardDamage, openSqliteFile, type SqliteFileOptions } from './sqlite-file.js';

export interface HistoryFilter {
  event?: string;
  status?: number;
  /** Only statuses of this class (4: 400–499). */
  statusClass?: number;
  /** Only requests whose signature failed verification. */
  invalid?: boolean;
  /** Only requests whose signature was verified valid. */
  valid?: boolean;
  /** Only requests flagged as a repeated delivery id. */
  duplicate?: boolean;
  /** Only deliveries that broke their schema (`listen --validate`). */
  schemaInvalid?: boolean;
  direction?: Direction;
  /** Matches the delivery id, event, URL or body text. */
  search?: string;
  /** Rows with an id below this one (paging backwards through time). */
  beforeId?: number;
  /** Rows with an id above this one (what arrived since a row). */
  afterId?: number;
  /** Only these rows (the inspector's selection). */
  ids?: readonly number[];
  limit?: number;
}

interface Row {
  id: number;
  direction: Direction;
  source: DeliveryRecord['source'];
  created_at: number;
  event: string | null;
  delivery_id: string | null;
  method: string;
  url: string;
  remote_address: string | null;
  request_headers?: string;
  request_body?: Buffer;
  body_size?: number;
  status: number | null;
  response_headers?: string | null;
  response_body?: Buffer | null;
  duration_ms: number | null;
  error: string | null;
  signature_valid: number | null;
  signature_error: string | null;
  duplicate: number;
  replay_of: string | null;
  schema_valid: number | null;
  schema_errors: string | null;
  route: string | null;
  forwarded: number | null;
  diagnosis: string | null;
  listener_url: string | null;
  held_ms: number | null;
  app_held: number | null;
}

const SUMMARY_COLUMNS = `id, direction, source, created_at, event, delivery_id, method, url, remote_address,
  length(request_body) AS body_size, status, duration_ms, error, signature_valid, signature_error, duplicate, replay_of,
  schema_valid, schema_errors, route, forwarded, diagnosis, listener_url, held_ms, app_held`;

/** How long the names of imported spool files are kept (a leftover file is retried within seconds). */
const SPOOL_IMPORTS_KEPT_MS = 7 * 24 * 3600 * 1000;

/** Traffic of one second (`second`: epoch seconds), as the inspector's chart reads it. */
export interface SecondOfActivity {
  second: number;
  total: number;
  /** By status class: 2xx, 3xx, 4xx, 5xx; `other` is no answer (an incomplete request) or 1xx. */
  ok: number;
  redirect: number;
  clientError: number;
  serverError: number;
  other: number;
  meanMs: number | null;
  maxMs: number | null;
}

const ACTIVITY_COLUMNS = `created_at / 1000 AS second, count(*) AS total,
  sum(status BETWEEN 200 AND 299) AS ok, sum(status BETWEEN 300 AND 399) AS redirect,
  sum(status BETWEEN 400 AND 499) AS clientError, sum(status BETWEEN 500 AND 599) AS serverError,
  sum(status IS NULL OR status < 200 OR status > 599) AS other,
  avg(duration_ms) AS meanMs, max(duration_ms) AS maxMs`;

/** How far back `activitySince` looks, in rows. */
const RECENT_ROWS_SCANNED = 200_000;

/** How long a write waits for another process holding the database, before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

export class HistoryStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #received: Database.Statement;
  readonly #dataVersion: Database.Statement;
  readonly #lastId: Database.Statement;
  readonly #idsAfter: Database.Statement;
  readonly #idsSinceRow: Database.Statement;
  readonly #setDiagnosis: Database.Statement;
  readonly #spoolFileImported: Database.Statement;
  readonly #spoolFileTaken: Database.Statement;
  readonly #oldSpoolFiles: Database.Statement;
  readonly #activityBetween: Database.Statement;
  readonly #activitySince: Database.Statement;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#received = db.prepare(
      `SELECT 1 FROM deliveries WHERE delivery_id = ? AND direction = 'in' AND status BETWEEN 200 AND 299 LIMIT 1`,
    );
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.#lastId = db.prepare('SELECT max(id) FROM deliveries').pluck();
    this.#idsAfter = db
      .prepare('SELECT delivery_id FROM deliveries WHERE delivery_id > ? ORDER BY delivery_id LIMIT ?')
      .pluck();
    this.#idsSinceRow = db.prepare('SELECT id, delivery_id AS deliveryId FROM deliveries WHERE id > ? ORDER BY id');
    this.#spoolFileImported = db.prepare('SELECT 1 FROM spool_imports WHERE file = ?');
    this.#spoolFileTaken = db.prepare('INSERT INTO spool_imports (file, records, imported_at) VALUES (?, ?, ?)');
    this.#oldSpoolFiles = db.prepare('DELETE FROM spool_imports WHERE imported_at < ?');
    this.#activityBetween = db.prepare(
      `SELECT ${ACTIVITY_COLUMNS} FROM deliveries WHERE id > ? AND id <= ? GROUP BY second ORDER BY second`,
    );
    this.#activitySince = db.prepare(
      `SELECT ${ACTIVITY_COLUMNS} FROM deliveries
       WHERE id > (SELECT coalesce(max(id), 0) FROM deliveries) - ? AND created_at >= ? GROUP BY second ORDER BY second`,
    );
    // Positional parameters: binding by name costs a third more per row, and receivers insert a lot.
    this.#insert =
      db.prepare(`INSERT INTO deliveries (direction, source, created_at, event, delivery_id, method, url, remote_address,
      request_headers, request_body, status, response_headers, response_body, duration_ms, error, signature_valid, signature_error, duplicate, replay_of,
      schema_valid, schema_errors, route, forwarded, diagnosis, listener_url, held_ms, app_held)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#setDiagnosis = db.prepare(
      `UPDATE deliveries SET diagnosis = ? WHERE delivery_id = ? AND direction = 'in' AND diagnosis IS NULL`,
    );
  }

  /**
   * Opens a history that must already exist, for the commands that only read it: a mistyped
   * `--db` is named, not answered with new folders and an empty database.
   */
  static openExisting(path: string): HistoryStore {
    // Deliveries may still wait in the spool (trigger writes there): then the history exists.
    if (!existsSync(path) && !existsSync(spoolDirectory(path)))
      throw new UserError(`no history database at ${path}`, {
        hint: 'check --db (or WEBHOOKS_DB); listen and trigger create it',
      });
    return HistoryStore.open(path);
  }

  /**
   * Opens (creating and migrating as needed) and imports what fast commands left in the spool.
   * `importSpool: false` leaves the import to the caller: a listener imports through its recorder,
   * which keeps answering (and spooling) when the import finds the file damaged.
   */
  static open(path: string, { importSpool = true }: { importSpool?: boolean } = {}): HistoryStore {
    const file = fileOptions(path);
    // Found damaged before (by this or another process): say so without touching it again.
    const damage = knownDamage(path, file.spoolDir);
    if (damage) throw new DamagedFileError(path, damage, file);
    const db = openSqliteFile(path, file);
    let store: HistoryStore;
    try {
      store = guardDamage(path, file, () => {
        runMigrations(db, MIGRATIONS, { what: 'history database', fix: 'pass --db with another path' });
        // The newest row: a damaged table or index usually shows here, before anything is written.
        db.prepare('SELECT max(id) FROM deliveries').get();
        return new HistoryStore(path, db);
      });
    } catch (err) {
      db.close();
      throw err;
    }
    if (!importSpool) return store;
    try {
      store.importSpool();
    } catch (err) {
      // Locked by another process, or a full disk: the spool keeps its records for the next import.
      if (err instanceof DamagedFileError) {
        store.close();
        throw err;
      }
    }
    return store;
  }

  /** Runs `work` with SQLite's "damaged" errors turned into one DamagedFileError (see damaged-file.ts). */
  #guard<T>(work: () => T): T {
    return guardDamage(this.path, fileOptions(this.path), work);
  }

  /**
   * How long a write waits for another process's lock before failing with SQLITE_BUSY. A receiver
   * sets a short one, so a lock never stalls its event loop; it keeps the records and retries.
   */
  setBusyTimeout(ms: number): void {
    this.#guard(() => this.#db.pragma(`busy_timeout = ${ms}`));
  }

  /**
   * Imports what `trigger` and other fast commands appended to the spool since; returns how many.
   * Each file's records and its name go in one transaction, and a file already imported is
   * skipped, so no kill at any moment imports a record twice. `onImported` sees each file's
   * records (and the file's name, without its folder and extension) once they are written.
   */
  importSpool(onImported?: (records: readonly DeliveryRecord[], file: string) => void): number {
    return importSpool(this.path, (records, file) => {
      const stored = this.#guard(() =>
        this.#db
          .transaction(() => {
            if (this.#spoolFileImported.get(file) !== undefined) return false;
            for (const r of records) this.#insert.run(toParams(r));
            this.#spoolFileTaken.run(file, records.length, Date.now());
            // A leftover file is claimed again within seconds; names older than a week only take space.
            this.#oldSpoolFiles.run(Date.now() - SPOOL_IMPORTS_KEPT_MS);
            return true;
          })
          // The write lock first: the check and the insert see one state of the file.
          .immediate(),
      );
      if (stored) onImported?.(records, file);
      return stored;
    });
  }

  get schemaVersion(): number {
    return this.#guard(() => schemaVersion(this.#db));
  }

  /**
   * Stores one record (a replay). On a damaged file the record goes to the spool before the
   * error is thrown, so the request it describes is not lost with the file.
   */
  insert(record: DeliveryRecord): number {
    try {
      return this.#guard(() => Number(this.#insert.run(toParams(record)).lastInsertRowid));
    } catch (err) {
      if (err instanceof DamagedFileError) {
        spoolRecords(this.path, [record]);
      }
      throw err;
    }
  }

  /** Adds the doctor's verdict to the received deliveries with these ids that have none yet. */
  setDiagnosis(deliveryIds: readonly string[], diagnosis: string): void {
    this.#guard(() =>
      this.#db.transaction(() => {
        for (const id of deliveryIds) this.#setDiagnosis.run(diagnosis, id);
      })(),
    );
  }

  /** Stores records in one transaction: the cheap way to write many. */
  insertMany(records: readonly DeliveryRecord[]): void {
    if (records.length === 0) return;
    this.#guard(() =>
      this.#db.transaction(() => {
        for (const r of records) this.#insert.run(toParams(r));
      })(),
    );
  }

  /**
   * Rows of deliveries `listen --app-down hold` kept for an app that was down, since passed on:
   * no longer marked held. A row is named by its delivery id and time, as the record knows no row id.
   */
  /**
   * Clears the held-for-app mark of records passed on (keeping why the app refused one); returns
   * those not found — not written yet, or in a spool file still to be imported.
   */
  markPassedOn<T extends Pick<DeliveryRecord, 'deliveryId' | 'createdAt' | 'error'>>(records: readonly T[]): T[] {
    if (records.length === 0) return [];
    const mark = this.#db.prepare(
      `UPDATE deliveries SET app_held = 0, forwarded = 1, error = COALESCE(?, error)
       WHERE delivery_id IS ? AND created_at = ?`,
    );
    return this.#guard(() =>
      this.#db.transaction(() =>
        records.filter((r) => mark.run(r.error ?? null, r.deliveryId, r.createdAt).changes === 0),
      )(),
    );
  }

  /** Deliveries still marked held for an app that was down (listen stopped before passing them on), oldest first. */
  heldForApp(): Array<DeliveryRecord & { id: number }> {
    const rows = this.#guard(
      () => this.#db.prepare('SELECT * FROM deliveries WHERE app_held = 1 ORDER BY id').all() as Row[],
    );
    return rows.map(toRecord);
  }

  /** Newest first, one page at a time; never reads bodies. */
  list(filter: HistoryFilter = {}): DeliverySummary[] {
    const { where, params } = whereClause(filter);
    const rows = this.#guard(
      () =>
        this.#db
          .prepare(`SELECT ${SUMMARY_COLUMNS} FROM deliveries ${where} ORDER BY id DESC LIMIT @limit`)
          .all({ ...params, limit: filter.limit ?? 50 }) as Row[],
    );
    return rows.map(toSummary);
  }

  /**
   * Rows per second between two row ids (`afterId` < id <= `throughId`), by status class, with
   * their mean and slowest latency: what the inspector's chart draws as traffic arrives.
   */
  activityBetween(afterId: number, throughId: number): SecondOfActivity[] {
    return this.#guard(() => this.#activityBetween.all(afterId, throughId) as SecondOfActivity[]);
  }

  /**
   * The same for the rows since `sinceMs`, among the newest RECENT_ROWS_SCANNED rows: ids grow
   * with time, so the primary key finds them without reading the whole table (a minute of
   * traffic at 3,000 requests a second still fits).
   */
  activitySince(sinceMs: number): SecondOfActivity[] {
    return this.#guard(() => this.#activitySince.all(RECENT_ROWS_SCANNED, sinceMs) as SecondOfActivity[]);
  }

  count(filter: Omit<HistoryFilter, 'limit' | 'beforeId'> = {}): number {
    const { where, params } = whereClause(filter);
    return this.#guard(
      () => (this.#db.prepare(`SELECT count(*) AS n FROM deliveries ${where}`).get(params) as { n: number }).n,
    );
  }

  /**
   * How many rows match, counting no further than `cap` (then `cap` is returned): a count over a
   * filter that matches much of a large history stops early instead of reading all of it.
   */
  countUpTo(filter: Omit<HistoryFilter, 'limit' | 'beforeId'>, cap: number): number {
    const { where, params } = whereClause(filter);
    return this.#guard(
      () =>
        (
          this.#db
            .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM deliveries ${where} LIMIT @cap)`)
            .get({ ...params, cap }) as { n: number }
        ).n,
    );
  }

  /** Deletes the deliveries recorded before `cutoff` (ms since the epoch); returns how many. */
  pruneBefore(cutoff: number): number {
    return this.#guard(() => this.#db.prepare('DELETE FROM deliveries WHERE created_at < ?').run(cutoff).changes);
  }

  /** Deletes all but the newest `keep` deliveries (by row id); returns how many. */
  pruneKeepingNewest(keep: number): number {
    return this.#guard(
      () =>
        this.#db
          .prepare('DELETE FROM deliveries WHERE id <= (SELECT id FROM deliveries ORDER BY id DESC LIMIT 1 OFFSET ?)')
          .run(keep).changes,
    );
  }

  /** By row id or delivery id (the newest record with that delivery id). */
  get(ref: string | number): DeliveryRecord | undefined {
    const row = this.#guard(
      () =>
        (/^\d+$/.test(String(ref))
          ? this.#db.prepare('SELECT * FROM deliveries WHERE id = ?').get(Number(ref))
          : this.#db
              .prepare('SELECT * FROM deliveries WHERE delivery_id = ? ORDER BY id DESC LIMIT 1')
              .get(String(ref))) as Row | undefined,
    );
    return row && toRecord(row);
  }

  /**
   * Whether a request with this delivery id was already received and accepted (answered 2xx), for
   * duplicate flags: a retry after a failed attempt is expected, a second accepted copy is not.
   */
  hasReceived(deliveryId: string): boolean {
    return this.#guard(() => this.#received.get(deliveryId) !== undefined);
  }

  /**
   * The delivery ids in the history after `after`, in id order, `limit` at a time: every row's,
   * whatever its direction or answer (a superset of the accepted ones). Read from the index alone.
   */
  deliveryIdsAfter(after: string, limit: number): string[] {
    return this.#guard(() => this.#idsAfter.all(after, limit) as string[]);
  }

  /** The delivery ids of rows after row `afterId`, and the newest row id (for catching up with other writers). */
  deliveryIdsSinceRow(afterId: number): { ids: string[]; lastId: number } {
    return this.#guard(() => {
      const rows = this.#idsSinceRow.all(afterId) as { id: number; deliveryId: string | null }[];
      return {
        ids: rows.flatMap((r) => (r.deliveryId ? [r.deliveryId] : [])),
        lastId: rows.length ? rows[rows.length - 1]!.id : afterId,
      };
    });
  }

  /** The newest row id, 0 when empty. */
  lastId(): number {
    return this.#guard(() => (this.#lastId.get() as number | null) ?? 0);
  }

  /** Changes whenever another connection (another process) commits to the file; this one's own writes leave it. */
  dataVersion(): number {
    return this.#guard(() => this.#dataVersion.get() as number);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function fileOptions(path: string): SqliteFileOptions & { spoolDir: string } {
  return {
    what: 'history database',
    fix: 'pass --db with another path (or set WEBHOOKS_DB)',
    busyTimeoutMs: BUSY_TIMEOUT_MS,
    spoolDir: spoolDirectory(path),
    startsAfresh: 'a new history starts',
  };
}

/** The condition of the partial index `deliveries_failing_status` (migration 5), word for word. */
const FAILING_STATUS = 'status NOT BETWEEN 200 AND 299';

function isFailingFilter({ status, statusClass }: HistoryFilter): boolean {
  if (status !== undefined) return status < 200 || status > 299;
  return statusClass !== undefined && statusClass !== 2;
}

function whereClause(filter: HistoryFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.event) {
    // `event:catalog.*` and `event:catalog` (every type below it) as well as a whole type.
    clauses.push(filter.event.includes('*') ? 'event GLOB @eventGlob' : '(event = @event OR event GLOB @eventGlob)');
    params.event = filter.event;
    params.eventGlob = eventFilterGlob(filter.event);
  }
  if (filter.status !== undefined) clauses.push('status = @status'), (params.status = filter.status);
  if (filter.statusClass !== undefined)
    clauses.push('status >= @classLow AND status < @classHigh'),
      (params.classLow = filter.statusClass * 100),
      (params.classHigh = filter.statusClass * 100 + 100);
  // Said again in the partial index's own words, so SQLite sees that the index has these rows.
  if (isFailingFilter(filter)) clauses.push(FAILING_STATUS);
  if (filter.invalid) clauses.push('signature_valid = 0');
  if (filter.valid) clauses.push('signature_valid = 1');
  if (filter.duplicate) clauses.push('duplicate = 1');
  if (filter.schemaInvalid) clauses.push('schema_valid = 0');
  if (filter.direction) clauses.push('direction = @direction'), (params.direction = filter.direction);
  if (filter.beforeId !== undefined) clauses.push('id < @beforeId'), (params.beforeId = filter.beforeId);
  if (filter.afterId !== undefined) {
    clauses.push('id > @afterId');
    params.afterId = filter.afterId;
  }
  if (filter.ids) {
    clauses.push('id IN (SELECT value FROM json_each(@ids))');
    params.ids = JSON.stringify(filter.ids);
  }
  if (filter.search) {
    clauses.push(
      `(delivery_id LIKE @search OR event LIKE @search OR url LIKE @search OR CAST(request_body AS TEXT) LIKE @search)`,
    );
    params.search = `%${filter.search}%`;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The insert statement's parameters, in its column order. */
function toParams(r: DeliveryRecord): unknown[] {
  return [
    r.direction,
    r.source,
    r.createdAt,
    r.event,
    r.deliveryId,
    r.method,
    r.url,
    r.remoteAddress,
    JSON.stringify(r.requestHeaders),
    r.requestBody,
    r.status,
    r.responseHeaders ? JSON.stringify(r.responseHeaders) : null,
    r.responseBody,
    r.durationMs,
    r.error,
    r.signatureValid === null ? null : r.signatureValid ? 1 : 0,
    r.signatureError,
    r.duplicate ? 1 : 0,
    r.replayOf,
    r.schemaValid === undefined || r.schemaValid === null ? null : r.schemaValid ? 1 : 0,
    r.schemaErrors?.length ? JSON.stringify(r.schemaErrors) : null,
    r.route ?? null,
    r.forwarded === undefined || r.forwarded === null ? null : r.forwarded ? 1 : 0,
    r.diagnosis ?? null,
    r.listenerUrl ?? null,
    r.heldMs ?? null,
    r.appHeld === undefined || r.appHeld === null ? null : r.appHeld ? 1 : 0,
  ];
}

function toSummary(row: Row): DeliverySummary {
  return {
    id: row.id,
    direction: row.direction,
    source: row.source,
    createdAt: row.created_at,
    event: row.event,
    deliveryId: row.delivery_id,
    method: row.method,
    url: row.url,
    remoteAddress: row.remote_address,
    bodySize: row.body_size ?? row.request_body?.length ?? 0,
    status: row.status,
    durationMs: row.duration_ms,
    error: row.error,
    signatureValid: row.signature_valid === null ? null : row.signature_valid === 1,
    signatureError: row.signature_error,
    duplicate: row.duplicate === 1,
    replayOf: row.replay_of,
    schemaValid: row.schema_valid === null ? null : row.schema_valid === 1,
    schemaErrors: row.schema_errors ? (JSON.parse(row.schema_errors) as SchemaIssue[]) : null,
    route: row.route,
    forwarded: row.forwarded === null ? null : row.forwarded === 1,
    diagnosis: row.diagnosis,
    listenerUrl: row.listener_url,
    heldMs: row.held_ms,
    appHeld: row.app_held === null ? null : row.app_held === 1,
  };
}

function toRecord(row: Row): DeliveryRecord & { id: number } {
  const { bodySize: _size, ...summary } = toSummary(row);
  return {
    ...summary,
    requestHeaders: JSON.parse(row.request_headers ?? '{}') as HeaderMap,
    requestBody: row.request_body ?? Buffer.alloc(0),
    responseHeaders: row.response_headers ? (JSON.parse(row.response_headers) as HeaderMap) : null,
    responseBody: row.response_body ?? null,
  };
}
