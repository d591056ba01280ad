/**
 * The one migration runner for the tool's SQLite files (the history, the emulator's state).
 * `PRAGMA user_version` holds how many migrations have run; lists are appended to, never edited.
 */
import type Database from 'better-sqlite3';
import { UserError } from '../errors.js';

export interface MigrationOptions {
  /** What the file is, for messages: "history database", "emulator database". */
  what: string;
  /** The next step when the file is from a newer webhooks-cli, e.g. "pass --db with another path". */
  fix: string;
  /** Stop after this many migrations (tests build old files with it); all of them by default. */
  upTo?: number;
}

/** The schema version of `db`: how many migrations have run on it. */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Runs the migrations not yet applied, all of them in one transaction. */
export function runMigrations(
  db: Database.Database,
  migrations: readonly string[],
  { what, fix, upTo = migrations.length }: MigrationOptions,
): void {
  if (schemaVersion(db) > migrations.length) {
    throw new UserError(`the ${what} is from a newer webhooks-cli (schema ${schemaVersion(db)})`, {
      hint: `upgrade webhooks-cli, or ${fix}`,
    });
  }
  if (schemaVersion(db) >= upTo) return;
  // One writer at a time: two processes opening a new file at once must not both create it.
  // IMMEDIATE takes the write lock first; the version is read again under it.
  db.transaction(() => {
    for (let next = schemaVersion(db); next < upTo; next++) {
      db.exec(migrations[next]!);
      db.pragma(`user_version = ${next + 1}`);
    }
  }).immediate();
}
