/** The `relay` command's settings checked before anything starts: each bad one is a usage error naming the flag. */
import { isLoopbackHost } from '../core/http-url.js';
import { redactUrl } from '../core/redact.js';
import { UsageError } from '../errors.js';
import { RelayAccess } from './relay-access.js';
import { relayKeysPath } from './relay-keys.js';
import type { RelayLogger } from './relay-options.js';

export function requireRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new UsageError(`--redis "${redactUrl(value)}" is not a redis:// or rediss:// URL`, 'e.g. --redis redis://127.0.0.1:6379');
  return value;
}

export function requireMethods(methods: string[]): string[] {
  const upper = methods.map((m) => m.toUpperCase());
  const bad = upper.find((m) => !/^[A-Z]+$/.test(m));
  if (bad !== undefined || upper.length === 0) throw new UsageError(`--methods "${methods.join(',')}" is not a list of HTTP methods`, 'e.g. --methods POST,PUT');
  return upper;
}

/**
 * The relay's keys. With none, the relay runs open on a loopback address (and says so); on any
 * other address only with --open, since anyone who can reach it could serve from its domain.
 */
export function openRelayAccess(options: { keysFlag?: string; env?: NodeJS.ProcessEnv; host: string; open: boolean; log: RelayLogger }): RelayAccess {
  const path = relayKeysPath(options.keysFlag, options.env);
  const access = new RelayAccess(path, { onError: (message) => options.log('warn', message) });
  if (!access.required && !options.open && !isLoopbackHost(options.host)) {
    throw new UsageError(
      `refusing to run open on ${options.host}: there are no relay keys in ${path}, so anyone who can reach it could open a channel`,
      'add a key with `webhooks-cli relay keys add NAME` (listeners pass it with --relay-key), or pass --open to run without keys',
    );
  }
  return access;
}

/** Once listening on `url`: whether listeners need a key, in one log line. */
export function logAccess(access: RelayAccess, url: string, log: RelayLogger): void {
  if (access.required) {
    log('info', `${access.liveKeyCount} live relay key(s) in ${access.path}: listeners must present one (--relay-key); changes to the file apply without a restart`, { keys: access.liveKeyCount });
  } else {
    log('warn', `running open: no relay keys in ${access.path}, so anyone who can reach ${url} can open a channel (add one with: webhooks-cli relay keys add NAME)`, { open: true });
  }
}
