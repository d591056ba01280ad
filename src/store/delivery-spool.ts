/**
 * An append-only spool of delivery records beside the history database, for processes that
 * must start fast (`trigger`): they append JSON lines here without loading SQLite, and the next
 * process that opens the history imports them. Each writer owns one file; it is renamed from
 * `.part` to `.jsonl` when complete, and an importer claims a file by renaming it again, so two
 * importers never take the same file.
 */

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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
  return join(configDirectory(), 'unwritten-history', key);
}

const FLUSH_EVERY = 256;

export class SpoolWriter {
  readonly #dir: string;
  readonly #name: string;
  #fd: number | undefined;
  #pending: string[] = [];

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

  flush(): void {
    if (this.#fd === undefined || this.#pending.length === 0) return;
    writeSync(this.#fd, this.#pending.join(''));
    this.#pending = [];
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
