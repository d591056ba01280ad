/**
 * Opens one of the tool's SQLite files (the history, the emulator's state): created owner-only,
 * WAL, a busy timeout so another process's lock makes us wait rather than fail, and file-system
 * or format problems turned into one-line errors that name the fix.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { fileSystemError } from '../errors.js';
import { DamagedFileError, markDamaged, sqliteDamage } from './damaged-file.js';
import { missingNativeModule } from './native-module.js';

export interface SqliteFileOptions {
  /** What the file is, for messages: "history database", "emulator database". */
  what: string;
  /** The next step when the file cannot be used, e.g. "pass --db with another path". */
  fix: string;
  busyTimeoutMs: number;
  /** Where a damage mark is kept, for commands that never open the file (see damaged-file.ts). */
  spoolDir?: string;
  /** What moving a damaged file aside gives: "a new history starts". */
  startsAfresh?: string;
}

export function openSqliteFile(path: string, options: SqliteFileOptions): Database.Database {
  const { what, fix, busyTimeoutMs } = options;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file owner-only first; SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(path, 'a', 0o600));
  } catch (err) {
    throw fileSystemError(err, path, `open the ${what}`, fix);
  }
  return guardDamage(
    path,
    options,
    () => {
      const db = new Database(path);
      try {
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        db.pragma('journal_mode = WAL');
        // NORMAL in WAL mode survives a killed process (only a power cut can lose the last commits).
        db.pragma('synchronous = NORMAL');
      } catch (err) {
        db.close();
        throw err;
      }
      return db;
    },
    (err) => missingNativeModule(err) ?? fileSystemError(err, path, `open the ${what}`, fix),
  );
}

/**
 * Runs `work` against the file at `path`; SQLite's "damaged" errors become one DamagedFileError
 * (and a mark for commands that do not open the file), other errors go through `otherwise`.
 */
export function guardDamage<T>(
  path: string,
  options: Pick<SqliteFileOptions, 'what' | 'spoolDir' | 'startsAfresh'>,
  work: () => T,
  otherwise: (err: unknown) => unknown = (err) => err,
): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof DamagedFileError) throw err;
    const reason = sqliteDamage(err);
    if (reason === undefined) throw otherwise(err);
    if (options.spoolDir) markDamaged(path, options.spoolDir, reason);
    throw new DamagedFileError(path, reason, options);
  }
}
