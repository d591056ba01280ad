/**
 * Who may open a channel on this relay. With keys in the keys file, a listener must present a
 * live one; with none, the relay is open. The file is polled (a rename-safe stat), so keys added
 * or revoked on the relay host count within a second or two, and `onChange` lets the relay drop
 * the connections of a key that no longer opens anything.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { findKey, RelayKeyFile, type RelayKeyEntry } from './relay-keys.js';

export type AccessVerdict =
  | { ok: true; key?: { name: string; sha256: string } }
  | { ok: false; reason: 'missing' | 'unknown' | 'revoked' };

/** How often `last used` times are written back to the keys file. */
const RECORD_USE_EVERY_MS = 10_000;

export class RelayAccess {
  #entries: RelayKeyEntry[] = [];
  #damaged = false;
  readonly #file: RelayKeyFile;
  readonly #pollMs: number;
  readonly #listeners = new Set<() => void>();
  readonly #used = new Map<string, string>();
  #recordTimer: NodeJS.Timeout | undefined;
  #watching = false;

  readonly #onError: (message: string) => void;

  constructor(path: string, options: { pollMs?: number; onError?: (message: string) => void } = {}) {
    this.#file = new RelayKeyFile(path);
    this.#pollMs = options.pollMs ?? 1_000;
    this.#onError = options.onError ?? (() => {});
    this.load();
  }

  get path(): string {
    return this.#file.path;
  }

  /** Keys are required once the file holds any entry, live or revoked, or cannot be read. */
  get required(): boolean {
    return this.#entries.length > 0 || this.#damaged;
  }

  get liveKeyCount(): number {
    return this.#entries.filter((e) => !e.revoked).length;
  }

  check(key: string | undefined): AccessVerdict {
    if (!this.required) return { ok: true };
    if (key === undefined || key === '') return { ok: false, reason: 'missing' };
    const entry = findKey(this.#entries, key);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.revoked) return { ok: false, reason: 'revoked' };
    this.#used.set(entry.sha256, new Date().toISOString());
    this.#recordTimer ??= setTimeout(() => this.recordUse(), RECORD_USE_EVERY_MS).unref();
    return { ok: true, key: { name: entry.name, sha256: entry.sha256 } };
  }

  /** Whether a connection admitted with `sha256` (undefined: admitted open) may stay. */
  stillAdmits(sha256: string | undefined): boolean {
    if (sha256 === undefined) return !this.required;
    return this.#entries.some((e) => e.sha256 === sha256 && !e.revoked);
  }

  /** `listener` runs after every reload of the keys file. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    watchFile(this.#file.path, { interval: this.#pollMs, persistent: false }, () => this.reload());
  }

  reload(): void {
    this.load();
    for (const listener of this.#listeners) listener();
  }

  private load(): void {
    const { entries, damaged } = this.#file.read();
    if (damaged && !this.#damaged) this.#onError(`${this.#file.path} cannot be read as a relay keys file: every listener is refused until it is fixed`);
    this.#entries = entries;
    this.#damaged = damaged;
  }

  close(): void {
    if (this.#watching) unwatchFile(this.#file.path);
    this.#watching = false;
    clearTimeout(this.#recordTimer);
    this.recordUse();
  }

  private recordUse(): void {
    this.#recordTimer = undefined;
    if (this.#used.size === 0) return;
    try {
      this.#file.recordUse(this.#used);
      this.#used.clear();
    } catch (err) {
      this.#onError(`could not record when keys were last used: ${(err as Error).message}`);
    }
  }
}
