/**
 * An append-only spool of delivery records beside the history database, for processes that
 * must start fast (`trigger`): they append JSON lines here without loading SQLite, and the next
 * process that opens the history imports them. Each writer owns one file; it is renamed from
 * `.part` to `.jsonl` when complete, and an importer claims a file by renaming it again, so two
 * importers never take the same file.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { configDirectory } from '../config/paths.js';
import { fileSystemError, UserError } from '../errors.js';
import { DamagedFileError, knownDamage } from './damaged-file.js';
import type { DeliveryRecord } from './delivery-record.js';

export function spoolDirectory(dbPath: string): string {
  return `${dbPath}.spool`;
}

/**
 * Where records go when the spool beside the database cannot be written either: a folder in the
 * config directory, one per database (named by a hash of its absolute path), imported like the spool.
 */
export function fallbackSpoolDirectory(dbPath: string): string {
  const key = createHash('sha256').update(resolve(dbPath)).digest('hex').slice(0, 12);
  return join(configDirectory(process.env), 'unwritten-history', key);
}

const FLUSH_EVERY = 256;

export class SpoolWriter {
  readonly #dir: string;
  readonly #name: string;
  #fd: number | undefined;
  #pending: string[] = [];
  /** `appendShared`'s records waiting: for each, its shared head and its own JSON from the second character. */
  #shared: string[] = [];
  /** Writes handed to the thread pool (`appendShared`), in order; rejected when one failed. */
  #writing: Promise<void> = Promise.resolve();
  /** Bytes in the file: only whole lines, so a failed write is cut back to here. */
  #size = 0;

  /** `dir`: the spool folder, by default the one beside `dbPath`. */
  constructor(dbPath: string, dir = spoolDirectory(dbPath)) {
    this.#dir = dir;
    this.#name = `${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`;
  }

  /** The file the records end up in once closed. */
  get path(): string {
    return join(this.#dir, `${this.#name}.jsonl`);
  }

  /** Creates the spool file now, so an unwritable path is reported before anything is sent. */
  open(): this {
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      this.#fd = openSync(join(this.#dir, `${this.#name}.part`), 'a', 0o600);
    } catch (err) {
      throw fileSystemError(
        err,
        this.#dir,
        'write the history at',
        'pass --db with a writable path (or set WEBHOOKS_DB)',
      );
    }
    return this;
  }

  append(record: DeliveryRecord): void {
    this.#pending.push(encodeRecord(record));
    if (this.#pending.length >= FLUSH_EVERY) this.flush();
  }

  /**
   * A load run's record: its requests carry the same few bodies thousands of times, so what the
   * records of one body share (`shared`, the same object each time) is encoded once. The batches
   * are written on Node's thread pool, so a slow disk never holds up the sending; `closeAfterWrites`
   * waits for them.
   */
  appendShared(shared: SharedFields, own: OwnFields): void {
    this.#shared.push(
      sharedHead(shared),
      JSON.stringify({ ...own, responseBody: own.responseBody?.toString('base64') ?? null }).slice(1),
    );
    if (this.#shared.length >= 2 * FLUSH_EVERY) this.#writeSharedInBackground();
  }

  #writeSharedInBackground(): void {
    if (this.#fd === undefined || this.#shared.length === 0) return;
    const fd = this.#fd;
    const batch = this.#sharedBatch();
    // Counted now: the writes are in order, and a failed one fails closeAfterWrites.
    this.#size += batch.length;
    this.#writing = this.#writing.then(() => writeAll(fd, batch));
  }

  /**
   * The `appendShared` records waiting, as lines in one buffer: each part is encoded straight into
   * it, without joining them into one string first (a copy of every byte, and garbage).
   */
  #sharedBatch(): Buffer {
    const parts = this.#shared;
    this.#shared = [];
    let units = 0;
    for (const part of parts) units += part.length;
    // UTF-8 takes at most 3 bytes for each UTF-16 unit; and a comma and a newline per line.
    const batch = Buffer.allocUnsafe(units * 3 + parts.length);
    let at = 0;
    for (let i = 0; i < parts.length; i += 2) {
      at += batch.write(parts[i]!, at);
      batch[at++] = 0x2c;
      at += batch.write(parts[i + 1]!, at);
      batch[at++] = 0x0a;
    }
    return batch.subarray(0, at);
  }

  /** `close()`, once every write `appendShared` started is done; rejects (naming the folder) if one failed. */
  async closeAfterWrites(): Promise<void> {
    try {
      this.#writeSharedInBackground();
      await this.#writing;
    } catch (err) {
      throw fileSystemError(
        err,
        this.#dir,
        'write the history at',
        'pass --db with a writable path (or set WEBHOOKS_DB)',
      );
    } finally {
      this.close();
    }
  }

  /**
   * Appends `records` and writes them with what was pending, all or none: on a failure the file is
   * cut back and nothing of this call stays pending (see `flush`).
   */
  writeAll(records: readonly DeliveryRecord[]): void {
    const before = this.#pending.length;
    for (const record of records) this.#pending.push(encodeRecord(record));
    try {
      this.flush();
    } catch (err) {
      this.#pending.length = before;
      throw err;
    }
  }

  /**
   * Writes what was appended. When the disk refuses (full, say), the file is cut back to its last
   * whole line and the error thrown; the lines stay pending, for the next flush.
   */
  flush(): void {
    if (this.#fd === undefined || this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending.join(''));
    let done = 0;
    try {
      // A full disk can take part of a write before it refuses the rest: write until all is in.
      while (done < bytes.length) done += writeSync(this.#fd, bytes, done, bytes.length - done);
    } catch (err) {
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {
        // The importer skips a line cut short.
      }
      throw err;
    }
    this.#size += bytes.length;
    this.#pending = [];
    if (this.#shared.length > 0) writeSync(this.#fd, this.#sharedBatch());
  }

  /**
   * Flushes and publishes the file for import (an empty one is removed). Safe to call twice. A
   * flush that fails still publishes what was written before, then throws.
   */
  close(): void {
    if (this.#fd === undefined) return;
    try {
      this.flush();
    } finally {
      closeSync(this.#fd);
      this.#fd = undefined;
      const part = join(this.#dir, `${this.#name}.part`);
      if (this.#size === 0) unlinkSync(part);
      else renameSync(part, join(this.#dir, `${this.#name}.jsonl`));
    }
  }
}

/** The fields the records of one body sent to one URL have in common. */
export type SharedFields = Pick<
  DeliveryRecord,
  | 'direction'
  | 'source'
  | 'event'
  | 'method'
  | 'url'
  | 'remoteAddress'
  | 'requestBody'
  | 'signatureValid'
  | 'signatureError'
  | 'replayOf'
>;
/** The rest: a request's own id, headers, time and answer. */
export type OwnFields = Omit<DeliveryRecord, keyof SharedFields>;

/** `{"direction":…,"requestBody":"…"` for records of `shared`, kept per body (the same few go out thousands of times). */
const sharedHeads = new WeakMap<Buffer, { shared: SharedFields; head: string }>();

function sharedHead(shared: SharedFields): string {
  const cached = sharedHeads.get(shared.requestBody);
  if (cached?.shared === shared) return cached.head;
  const head = JSON.stringify({ ...shared, requestBody: shared.requestBody.toString('base64') }).slice(0, -1);
  sharedHeads.set(shared.requestBody, { shared, head });
  return head;
}

/** Writes all of `data` at the end of `fd`, on the thread pool. */
function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (offset: number) =>
      write(fd, data, offset, data.length - offset, null, (err, written) => {
        if (err) reject(err);
        else if (offset + written < data.length) from(offset + written);
        else resolve();
      });
    from(0);
  });
}

/**
 * Spool files that take records as long as any disk does: beside the database first, else the
 * config directory's fallback folder (`fallbackSpoolDirectory`). A folder that cannot be opened
 * or written (read-only, a name taken, a full disk) passes the records to the next, and is tried
 * again first next time. Counts what each file holds.
 *
 * `reserve()` sets room aside beside the database (a file of `RESERVE_BYTES`), so that when that
 * disk fills, the records already accepted but not yet written can still be kept: `write` with
 * `useReserve` frees the room and writes them there.
 */
export class SpoolWithFallback {
  readonly #dirs: string[];
  readonly #dbPath: string;
  readonly #writers = new Map<string, SpoolWriter>();
  readonly #counts = new Map<string, number>();
  readonly #reservePath: string;
  #reserved = false;

  constructor(dbPath: string) {
    this.#dbPath = dbPath;
    this.#dirs = [spoolDirectory(dbPath), fallbackSpoolDirectory(dbPath)];
    this.#reservePath = join(spoolDirectory(dbPath), `${RESERVE_PREFIX}${process.pid}`);
  }

  /** Whether room is set aside now. */
  get reserved(): boolean {
    return this.#reserved;
  }

  /** Sets room aside beside the database (best effort); returns whether it is there. */
  reserve(): boolean {
    if (this.#reserved) return true;
    let fd: number | undefined;
    try {
      mkdirSync(this.#dirs[0]!, { recursive: true, mode: 0o700 });
      fd = openSync(this.#reservePath, 'w', 0o600);
      // Written, not just sized: a sparse file would give nothing back on a full disk.
      const chunk = Buffer.alloc(64 * 1024);
      for (let done = 0; done < RESERVE_BYTES; )
        done += writeSync(fd, chunk, 0, Math.min(chunk.length, RESERVE_BYTES - done));
      this.#reserved = true;
    } catch {
      removeQuietly(this.#reservePath);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return this.#reserved;
  }

  /**
   * Writes `records` to the first folder that takes them; returns its file, or throws the first
   * folder's error. `useReserve`: when no folder takes them, the room set aside is given up for them.
   */
  write(records: readonly DeliveryRecord[], { useReserve = false }: { useReserve?: boolean } = {}): string {
    let first: unknown;
    for (const dir of this.#dirs) {
      let writer = this.#writers.get(dir);
      try {
        if (!writer) {
          writer = new SpoolWriter(this.#dbPath, dir).open();
          this.#writers.set(dir, writer);
        }
        writer.writeAll(records);
      } catch (err) {
        first ??= err;
        continue;
      }
      this.#counts.set(writer.path, (this.#counts.get(writer.path) ?? 0) + records.length);
      return writer.path;
    }
    if (useReserve && this.#reserved) {
      this.#release();
      return this.write(records);
    }
    throw first instanceof UserError
      ? first
      : fileSystemError(first, spoolDirectory(this.#dbPath), 'write the spool in', 'free some disk space');
  }

  /** Each file that holds records, and how many. */
  get files(): Array<{ path: string; records: number }> {
    return [...this.#counts].map(([path, records]) => ({ path, records }));
  }

  /** Publishes every file for import (removing empty ones) and gives back the room set aside. */
  close(): void {
    for (const writer of this.#writers.values()) {
      try {
        writer.close();
      } catch {
        // Its records were counted only once written; the file holds those.
      }
    }
    this.#writers.clear();
    this.#release();
  }

  #release(): void {
    if (this.#reserved) removeQuietly(this.#reservePath);
    this.#reserved = false;
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Not there, or its folder is not one: nothing to give back.
  }
}

/** Room set aside beside the database by a running `listen` (see `SpoolWithFallback.reserve`). */
export const RESERVE_BYTES = 1024 * 1024;
const RESERVE_PREFIX = '.reserve-';

function encodeRecord(r: DeliveryRecord): string {
  return `${JSON.stringify({
    ...r,
    requestBody: r.requestBody.toString('base64'),
    responseBody: r.responseBody?.toString('base64') ?? null,
  })}\n`;
}

function decodeRecord(line: string): DeliveryRecord {
  const raw = JSON.parse(line) as DeliveryRecord & { requestBody: string; responseBody: string | null };
  return {
    ...raw,
    requestBody: Buffer.from(raw.requestBody, 'base64'),
    responseBody: raw.responseBody === null ? null : Buffer.from(raw.responseBody, 'base64'),
  };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The spool for a command that records without opening the history (`trigger`, `smoke`): refused
 * when the history is known to be damaged (its records could not reach it), created now so an
 * unwritable path is reported before anything is sent.
 */
export function openHistorySpool(dbPath: string): SpoolWriter {
  const damage = knownDamage(dbPath, spoolDirectory(dbPath));
  if (damage) throw new DamagedFileError(dbPath, damage);
  return new SpoolWriter(dbPath).open();
}

/**
 * Appends records that must not be lost to a spool file (beside the database, else the fallback
 * folder; see `SpoolWithFallback`) and publishes it at once; returns the file.
 */
export function spoolRecords(dbPath: string, records: readonly DeliveryRecord[]): string {
  const spool = new SpoolWithFallback(dbPath);
  try {
    return spool.write(records);
  } finally {
    spool.close();
  }
}

/**
 * Stores one spool file's records. `file` names the file for good (its writer's pid, time and a
 * random part); an insert that keeps, in the same transaction, the names it took can return false
 * for a file taken before, which makes the import idempotent: a process killed after the commit
 * but before deleting the file leaves it to be claimed again.
 */
export type SpoolInsert = (records: DeliveryRecord[], file: string) => unknown;

/**
 * Claims every complete spool file (and the files of writers that died), beside the database
 * and in its fallback folder, and hands their records to `insert`, which must store them in one
 * transaction. Files are deleted after; a file whose insert failed is put back for the next import.
 * Returns how many records were stored.
 */
export function importSpool(dbPath: string, insert: SpoolInsert): number {
  return importFolder(spoolDirectory(dbPath), insert) + importFolder(fallbackSpoolDirectory(dbPath), insert);
}

function importFolder(dir: string, insert: SpoolInsert): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0; // no spool yet
  }
  let imported = 0;
  for (const name of names) {
    if (name.startsWith(RESERVE_PREFIX)) {
      // Room a killed listener set aside: give it back.
      if (!isProcessAlive(Number(name.slice(RESERVE_PREFIX.length)))) removeQuietly(join(dir, name));
      continue;
    }
    const pid = Number(name.split('-')[0]);
    const claimable =
      name.endsWith('.jsonl') ||
      (name.endsWith('.part') && !isProcessAlive(pid)) ||
      (name.includes('.claimed-') && !isProcessAlive(Number(name.split('.claimed-')[1])));
    if (!claimable) continue;
    const file = name.replace(/\.(jsonl|part)$|\.claimed-\d+$/, '');
    const claimed = join(dir, `${file}.claimed-${process.pid}`);
    try {
      renameSync(join(dir, name), claimed);
    } catch {
      continue; // another process claimed it first
    }
    const records = readFileSync(claimed, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) => {
        try {
          return [decodeRecord(line)];
        } catch {
          return []; // a line cut short by a crash
        }
      });
    let stored: unknown;
    try {
      stored = insert(records, file);
    } catch (err) {
      renameSync(claimed, join(dir, `${file}.jsonl`));
      throw err;
    }
    unlinkSync(claimed);
    if (stored !== false) imported += records.length;
  }
  return imported;
}
