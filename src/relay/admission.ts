/**
 * Whether a WebSocket upgrade may open a channel: the right path, the channel's own token (or
 * none, to get a new channel), a live relay key when the relay has keys, and room under
 * `--max-channels-per-key`. Decides only; the relay server refuses or attaches.
 */

import { unwatchFile, watchFile } from 'node:fs';
import type http from 'node:http';
import {
  channelIdForToken,
  isWellFormedChannelId,
  newChannelToken,
  tokenOpensChannel,
} from '../tunnel/channel-token.js';
import { CONNECT_PATH, KEY_REFUSED_CODE, KEY_REFUSED_MESSAGE, RELAY_KEY_HEADER } from '../tunnel/frame-codec.js';
import { findKey, type RelayKeyEntry, RelayKeyFile } from './keys-file.js';

export type Admission =
  | { ok: true; channel: string; newToken?: string; key?: { name: string; sha256: string } }
  | { ok: false; status: 401 | 403 | 404; code: string; message: string; log: string };

export function admit(
  req: http.IncomingMessage,
  access: RelayAccess | undefined,
  channelsHeldWith: (sha256: string, except: string) => number,
  maxChannelsPerKey: number,
): Admission {
  const url = new URL(req.url ?? '/', 'http://relay.invalid');
  if (url.pathname !== CONNECT_PATH)
    return {
      ok: false,
      status: 404,
      code: 'not_found',
      message: `WebSocket clients connect to ${CONNECT_PATH}`,
      log: `upgrade to ${url.pathname} refused`,
    };
  const requested = url.searchParams.get('channel');
  const token = bearerToken(req.headers.authorization);
  const shown = requested && isWellFormedChannelId(requested) ? requested : '(new)';

  const header = req.headers[RELAY_KEY_HEADER];
  const verdict: AccessVerdict = access
    ? access.check(typeof header === 'string' ? header.trim() : undefined)
    : { ok: true };
  if (!verdict.ok) {
    return {
      ok: false,
      status: 401,
      code: KEY_REFUSED_CODE,
      message: KEY_REFUSED_MESSAGE,
      log: `connection refused for channel ${shown}: ${verdict.reason === 'missing' ? 'no relay key' : `${verdict.reason} relay key`}`,
    };
  }

  let channel: string;
  let newToken: string | undefined;
  if (requested === null && token === undefined) {
    newToken = newChannelToken();
    channel = channelIdForToken(newToken);
  } else if (requested !== null && token !== undefined && tokenOpensChannel(token, requested)) {
    channel = requested;
  } else {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: 'this token does not open that channel',
      log: `connection refused for channel ${shown}: ${token === undefined ? 'no token' : 'wrong token'}`,
    };
  }

  if (verdict.key && channelsHeldWith(verdict.key.sha256, channel) >= maxChannelsPerKey) {
    return {
      ok: false,
      status: 403,
      code: 'too_many_channels',
      message: `key "${verdict.key.name}" already holds ${maxChannelsPerKey} channels on this relay (--max-channels-per-key); stop a listener or ask the operator for another key`,
      log: `connection refused for channel ${shown}: key "${verdict.key.name}" is at its ${maxChannelsPerKey} channels`,
    };
  }
  return { ok: true, channel, newToken, key: verdict.key };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? match[1] : undefined;
}

/** Where senders reach this relay: `--public-url`, else the address the client itself used (behind a TLS proxy, https). */
export function publicBase(configured: string | undefined, req: http.IncomingMessage): string {
  if (configured) return configured.replace(/\/+$/, '');
  const scheme = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${scheme}://${req.headers.host ?? 'localhost'}`;
}

/**
 * Who may open a channel on this relay. With keys in the keys file, a listener must present a
 * live one; with none, the relay is open. The file is polled (a rename-safe stat), so keys added
 * or revoked on the relay host count within a second or two, and `onChange` lets the relay drop
 * the connections of a key that no longer opens anything.
 */
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
    if (damaged && !this.#damaged)
      this.#onError(
        `${this.#file.path} cannot be read as a relay keys file: every listener is refused until it is fixed`,
      );
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
