/**
 * The relay's access keys: `relay-keys.json` (owner-only) holds, per key, its name, the SHA-256
 * of the key, when it was created, last used and revoked — never the key itself, which is shown
 * once by `relay keys add`. A revoked key stays in the file (marked), so revoking the last key
 * leaves a relay that refuses everyone rather than one that is suddenly open.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOwnerOnlyJson } from '../config/owner-only-file.js';
import { configDirectory } from '../config/paths.js';
import { fileSystemError, UsageError, UserError } from '../errors.js';

export interface RelayKeyEntry {
  name: string;
  /** Lower-case hex SHA-256 of the whole key (`rk_…`). */
  sha256: string;
  created: string;
  lastUsed?: string;
  revoked?: string;
}

const KEY_PREFIX = 'rk_';
const KEY_PATTERN = /^rk_[A-Za-z0-9_-]{43}$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** `--keys FILE`, else `WEBHOOKS_RELAY_KEYS`, else `relay-keys.json` in the config directory. */
export function relayKeysPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.WEBHOOKS_RELAY_KEYS || join(configDirectory(env), 'relay-keys.json');
}

/** A new key: `rk_` and 32 random bytes in base64url. */
export function newRelayKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The entry `key` matches, or undefined. Every entry is compared, in constant time, whatever matches. */
export function findKey(entries: readonly RelayKeyEntry[], key: string | undefined): RelayKeyEntry | undefined {
  if (key === undefined || !KEY_PATTERN.test(key)) return undefined;
  const presented = hashKey(key);
  let found: RelayKeyEntry | undefined;
  for (const entry of entries) {
    const stored = Buffer.from(entry.sha256, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented) && !found) found = entry;
  }
  return found;
}

/** Entries read from a keys file; a damaged entry is skipped (it can match no key). */
export function parseKeyEntries(file: Record<string, unknown>): RelayKeyEntry[] {
  const keys = Array.isArray(file.keys) ? (file.keys as unknown[]) : [];
  return keys.filter((k): k is RelayKeyEntry => {
    const e = k as Partial<RelayKeyEntry> | null;
    return (
      !!e &&
      typeof e.name === 'string' &&
      typeof e.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(e.sha256) &&
      typeof e.created === 'string'
    );
  });
}

/**
 * A keys file as read: `damaged` when it exists but cannot be read as a JSON object, `missing`
 * when there is no file (a relay then admits nobody, unless it never had keys).
 */
export interface KeyFileContents {
  entries: RelayKeyEntry[];
  damaged: boolean;
  missing: boolean;
}

export class RelayKeyFile {
  constructor(readonly path: string) {}

  read(): KeyFileContents {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      // Missing: no keys. Unreadable: treated like damaged, never as open.
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      return { entries: [], damaged: !missing, missing };
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        return { entries: [], damaged: true, missing: false };
      return { entries: parseKeyEntries(parsed as Record<string, unknown>), damaged: false, missing: false };
    } catch {
      return { entries: [], damaged: true, missing: false };
    }
  }

  /** The entries, for changing them; a damaged file is an error rather than overwritten. */
  entries(): RelayKeyEntry[] {
    const { entries, damaged } = this.read();
    if (damaged)
      throw new UserError(`${this.path} is not a readable relay keys file`, {
        hint: 'fix its JSON (or move it away to start a new one)',
      });
    return entries;
  }

  /** Adds a key named `name`; returns the key, which is stored nowhere (only its hash). */
  add(name: string, now = new Date()): string {
    if (!NAME_PATTERN.test(name))
      throw new UsageError(
        `key name "${name}" is not usable`,
        'use letters, digits, . _ @ - (up to 64), e.g. relay keys add alice-laptop',
      );
    const entries = this.entries();
    if (entries.some((e) => e.name === name && !e.revoked))
      throw new UsageError(
        `a key named "${name}" already exists`,
        `revoke it first (relay keys revoke ${name}) or choose another name`,
      );
    const key = newRelayKey();
    const kept = entries.filter((e) => e.name !== name);
    this.write([...kept, { name, sha256: hashKey(key).toString('hex'), created: now.toISOString() }]);
    return key;
  }

  /** Marks the key named `name` revoked; false if there is no such live key. */
  revoke(name: string, now = new Date()): boolean {
    const entries = this.entries();
    const entry = entries.find((e) => e.name === name && !e.revoked);
    if (!entry) return false;
    entry.revoked = now.toISOString();
    this.write(entries);
    return true;
  }

  /** Records when each named key was last used, re-reading the file first so a concurrent add or revoke is kept. */
  recordUse(lastUsed: ReadonlyMap<string, string>): void {
    const entries = this.entries();
    let changed = false;
    for (const entry of entries) {
      const used = lastUsed.get(entry.sha256);
      if (used && used !== entry.lastUsed) {
        entry.lastUsed = used;
        changed = true;
      }
    }
    if (changed) this.write(entries);
  }

  private write(entries: RelayKeyEntry[]): void {
    try {
      writeOwnerOnlyJson(this.path, { keys: entries });
    } catch (err) {
      throw fileSystemError(
        err,
        this.path,
        'write the relay keys to',
        'pass --keys FILE in a writable folder (or set WEBHOOKS_RELAY_KEYS)',
      );
    }
  }
}
