/**
 * A SQLite file that SQLite itself calls damaged: the one place that recognises it (result codes
 * SQLITE_CORRUPT, "database disk image is malformed", and SQLITE_NOTADB, "file is not a
 * database"), the one line that names the file and the fix, and a mark in the spool folder so
 * commands that never load SQLite (`trigger`) refuse the file too. No SQLite import here.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/** SQLite's own words when `err` says the file is damaged, else undefined. */
export function sqliteDamage(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  // better-sqlite3 reports extended codes too (SQLITE_CORRUPT_INDEX, SQLITE_CORRUPT_VTAB, …).
  if (typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code)) return (err as Error).message;
  return undefined;
}

export class DamagedFileError extends UserError {
  readonly path: string;
  /** SQLite's words, e.g. "database disk image is malformed". */
  readonly reason: string;

  /** `what`: "history database"; `startsAfresh`: what moving the file aside gives ("a new history starts"). */
  constructor(path: string, reason: string, { what = 'history database', startsAfresh = 'a new history starts' } = {}) {
    const quoted = shellWord(path);
    // SQLITE_NOTADB: a header that is not SQLite's, which is also what another kind of file has.
    const damaged = /not a database/.test(reason) ? `is damaged or is not a webhooks-cli ${what}` : 'is damaged';
    super(`${path} ${damaged} (SQLite: ${reason})`, {
      hint: `move it aside (\`mv ${quoted} ${shellWord(`${path}.damaged`)}\`) and ${startsAfresh}; \`sqlite3 ${shellWord(`${path}.damaged`)} .recover\` may rescue rows`,
    });
    this.name = 'DamagedFileError';
    this.path = path;
    this.reason = reason;
  }
}

function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

interface DamageMark {
  dev: number;
  ino: number;
  reason: string;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function markPath(spoolDir: string): string {
  return join(spoolDir, 'damaged.json');
}

/**
 * Remembers that the file at `path` is damaged, for processes that do not open it. The mark names
 * the file's inode, so once the file is moved aside (or replaced) the mark no longer applies.
 */
export function markDamaged(path: string, spoolDir: string, reason: string): void {
  try {
    const { dev, ino } = statSync(path);
    mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
    writeFileSync(markPath(spoolDir), JSON.stringify({ dev, ino, reason } satisfies DamageMark), { mode: 0o600 });
  } catch {
    // Best effort: the command that found the damage reports it either way.
  }
}

/**
 * Whether the file at `path` is known to be damaged, without SQLite: a mark left by a command that
 * found it so, or a header that is not SQLite's. Returns SQLite's words, or undefined.
 */
export function knownDamage(path: string, spoolDir: string): string | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    forget(spoolDir); // no file (moved aside, say): a new one starts
    return undefined;
  }
  try {
    const mark = JSON.parse(readFileSync(markPath(spoolDir), 'utf8')) as DamageMark;
    if (mark.dev === stat.dev && mark.ino === stat.ino) return mark.reason;
    forget(spoolDir); // the damaged file was moved aside and another took its name
  } catch {
    // no mark
  }
  if (stat.size < SQLITE_MAGIC.length) return undefined; // empty: created, never written
  const header = Buffer.alloc(SQLITE_MAGIC.length);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // unreadable: opening it says why
  }
  return header.equals(SQLITE_MAGIC) ? undefined : 'file is not a database';
}

function forget(spoolDir: string): void {
  try {
    unlinkSync(markPath(spoolDir));
  } catch {
    // no mark
  }
}
