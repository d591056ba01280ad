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
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
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

  flush(): void {
    if (this.#fd === undefined) return;
    if (this.#pending.length > 0) writeSync(this.#fd, this.#pending.join(''));
    this.#pending = [];
    if (this.#shared.length > 0) writeSync(this.#fd, this.#sharedBatch());
  }

  /** Flushes and publishes the file for import. Safe to call twice. */
  close(): void {
    if (this.#fd === undefined) return;
    this.flush();
    closeSync(this.#fd);
    this.#fd = undefined;
    renameSync(join(this.#dir, `${this.#name}.part`), join(this.#dir, `${this.#name}.jsonl`));
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
 * A spool file for records that must not be lost: beside the database, or when that cannot be
 * written (a read-only folder, a name taken by a file), in the config directory's fallback.
 */
export function openSpoolWithFallback(dbPath: string): SpoolWriter {
  try {
    return new SpoolWriter(dbPath).open();
  } catch (besideErr) {
    try {
      return new SpoolWriter(dbPath, fallbackSpoolDirectory(dbPath)).open();
    } catch {
      throw besideErr instanceof UserError ? besideErr : new UserError(String(besideErr));
    }
  }
}

/**
 * Claims every complete spool file (and the files of writers that died), beside the database
 * and in its fallback folder, and hands their records to `insert`, which must store them in one
 * transaction. Files are deleted after; a file whose insert failed is put back for the next import.
 */
export function importSpool(dbPath: string, insert: (records: DeliveryRecord[]) => void): number {
  return importFolder(spoolDirectory(dbPath), insert) + importFolder(fallbackSpoolDirectory(dbPath), insert);
}

function importFolder(dir: string, insert: (records: DeliveryRecord[]) => void): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0; // no spool yet
  }
  let imported = 0;
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    const claimable =
      name.endsWith('.jsonl') ||
      (name.endsWith('.part') && !isProcessAlive(pid)) ||
      (name.includes('.claimed-') && !isProcessAlive(Number(name.split('.claimed-')[1])));
    if (!claimable) continue;
    const claimed = join(dir, `${name.replace(/\.(jsonl|part)$|\.claimed-\d+$/, '')}.claimed-${process.pid}`);
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
    try {
      insert(records);
    } catch (err) {
      renameSync(claimed, join(dir, `${name.replace(/\.(jsonl|part)$|\.claimed-\d+$/, '')}.jsonl`));
      throw err;
    }
    unlinkSync(claimed);
    imported += records.length;
  }
  return imported;
}
