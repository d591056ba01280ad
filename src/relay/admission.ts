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
  | { ok: false; status: 401 | 403 | 404 | 503; code: string; message: string; log: string };

/** The refusal while the keys cannot be checked: the listener waits and retries rather than giving up. */
export const KEYS_UNAVAILABLE_CODE = 'keys_unavailable';

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
  if (!verdict.ok && verdict.reason === 'unavailable') {
    return {
      ok: false,
      status: 503,
      code: KEYS_UNAVAILABLE_CODE,
      message: 'the relay cannot check relay keys right now; retry shortly',
      log: `connection refused for channel ${shown}: ${access?.closedBecause ?? 'relay keys unavailable'}`,
    };
  }
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
 * live one; with none, the relay is open — where it may run open (`mayRunOpen`: a loopback
 * address, or `--open`). It fails closed: while the file cannot be read, after a keyed relay's
 * file is moved or deleted, or when it is emptied where the relay may not run open, nobody is
 * admitted (`unavailable`) until it is put right. The file is polled (a rename-safe stat), so
 * keys added or revoked on the relay host count within a second or two, and `onChange` lets the
 * relay drop the connections of a key that no longer opens anything.
 */
export type AccessVerdict =
  | { ok: true; key?: { name: string; sha256: string } }
  | { ok: false; reason: 'missing' | 'unknown' | 'revoked' | 'unavailable' };

/** How often `last used` times are written back to the keys file. */
const RECORD_USE_EVERY_MS = 10_000;

export interface RelayAccessOptions {
  pollMs?: number;
  /** Whether no keys may mean an open relay (default true); false on a public address without --open. */
  mayRunOpen?: boolean;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** Why a relay admits nobody for now, and what ends it. */
interface Closed {
  kind: 'damaged' | 'gone' | 'open refused';
  reason: string;
  until: string;
}

export class RelayAccess {
  #entries: RelayKeyEntry[] = [];
  #closed: Closed | undefined;
  /** The file has held keys since the relay started: its disappearance closes the relay, never opens it. */
  #hadKeys = false;
  readonly #file: RelayKeyFile;
  readonly #pollMs: number;
  readonly #mayRunOpen: boolean;
  readonly #listeners = new Set<() => void>();
  readonly #used = new Map<string, string>();
  #recordTimer: NodeJS.Timeout | undefined;
  #watching = false;

  readonly #log: NonNullable<RelayAccessOptions['log']>;

  constructor(path: string, options: RelayAccessOptions = {}) {
    this.#file = new RelayKeyFile(path);
    this.#pollMs = options.pollMs ?? 1_000;
    this.#mayRunOpen = options.mayRunOpen ?? true;
    this.#log = options.log ?? (() => {});
    this.load(true);
  }

  get path(): string {
    return this.#file.path;
  }

  /** Keys are required once the file holds any entry, live or revoked, or while nobody is admitted. */
  get required(): boolean {
    return this.#entries.length > 0 || this.#closed !== undefined;
  }

  /** Why nobody is admitted for now (the file unreadable, gone, or emptied where the relay may not run open). */
  get closedBecause(): string | undefined {
    return this.#closed?.reason;
  }

  /** No keys where the relay may not run open: at start, the `relay` command refuses to run. */
  get refusesToRunOpen(): boolean {
    return this.#closed?.kind === 'open refused';
  }

  get liveKeyCount(): number {
    return this.#entries.filter((e) => !e.revoked).length;
  }

  check(key: string | undefined): AccessVerdict {
    if (this.#closed) return { ok: false, reason: 'unavailable' };
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
    if (this.#closed) return false;
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
    this.load(false);
    for (const listener of this.#listeners) listener();
  }

  private load(atStart: boolean): void {
    const { entries, damaged, missing } = this.#file.read();
    const path = this.#file.path;
    const was = this.#closed;
    let closed: Closed | undefined;
    if (damaged)
      closed = { kind: 'damaged', reason: `${path} cannot be read as a relay keys file`, until: 'it is fixed' };
    else if (missing && this.#hadKeys)
      closed = { kind: 'gone', reason: `${path} is gone (moved or deleted)`, until: 'it is back' };
    else if (entries.length === 0 && !this.#mayRunOpen)
      closed = {
        kind: 'open refused',
        reason: `${path} holds no keys, and this relay may run open only on a loopback address or with --open`,
        until: 'a key is added',
      };
    this.#entries = entries;
    this.#closed = closed;
    if (entries.length > 0) this.#hadKeys = true;
    // At start the command reports the state itself (and refuses to run open where it may not).
    if (closed && closed.reason !== was?.reason && (!atStart || closed.kind === 'damaged'))
      this.#log('warn', `${closed.reason}: every listener is refused until ${closed.until}`);
    else if (!closed && was)
      this.#log(
        'info',
        entries.length > 0
          ? `${path} can be read again: ${this.liveKeyCount} live relay key(s), listeners must present one`
          : `${path} holds no keys: running open`,
      );
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
      this.#log('warn', `could not record when keys were last used: ${(err as Error).message}`);
    }
  }
}
