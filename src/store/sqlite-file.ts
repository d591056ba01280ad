/**
 * Opens one of the tool's SQLite files (the history, the emulator's state): created owner-only,
 * WAL, a busy timeout so another process's lock makes us wait rather than fail, and file-system
 * or format problems turned into one-line errors that name the fix.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { fileSystemError, UserError } from '../errors.js';

export interface SqliteFileOptions {
  /** What the file is, for messages: "history database", "emulator database". */
  what: string;
  /** The next step when the file cannot be used, e.g. "pass --db with another path". */
  fix: string;
  busyTimeoutMs: number;
}

export function openSqliteFile(path: string, { what, fix, busyTimeoutMs }: SqliteFileOptions): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file owner-only first; SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(path, 'a', 0o600));
    const db = new Database(path);
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process (only a power cut can lose the last commits).
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (err) {
    if (err instanceof Error && /not a database|malformed/i.test(err.message)) {
      throw new UserError(`${path} is not a webhooks-cli ${what}`, { hint: fix });
    }
    throw fileSystemError(err, path, `open the ${what}`, fix);
  }
}
