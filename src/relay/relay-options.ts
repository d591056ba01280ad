/** What a relay is started with, the defaults of what is left out, and the `relay` command's settings checked before anything starts (each bad one a usage error naming the flag). */
import { isLoopbackHost } from '../core/http-url.js';
import { redactUrl } from '../core/redact.js';
import { UsageError } from '../errors.js';
import { RelayAccess } from './admission.js';
import type { HoldSettings } from './holding.js';
import { relayKeysPath } from './keys-file.js';

export interface RelayOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Base of the public webhook URLs handed to clients; default: the Host the client connected to. */
  publicUrl?: string;
  /** How long a sender waits for the client's answer before a 504. */
  answerTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Keepalive: a client that has not answered the previous ping by the next one is dropped. */
  pingIntervalMs?: number;
  /** After a client drops, how long its pending requests wait for it to come back and answer. */
  reconnectGraceMs?: number;
  /** A sender gets this long for its whole request (headers: 10 s at most), else 408 (default 30 s). */
  requestTimeoutMs?: number;
  /** Who may open channels; without it (or with an empty keys file) the relay is open. */
  access?: RelayAccess;
  /** Methods that reach a channel; others get 405 (default POST only). */
  methods?: readonly string[];
  /** Requests per second per channel (burst twice that); over it, 429. */
  rateLimit?: number;
  maxChannelsPerKey?: number;
  /** Senders waiting at once for one channel on this instance; more get 503. */
  maxPendingPerChannel?: number;
  /** Bytes that may wait in one channel's WebSocket send buffer (a listener not reading); beyond, 503. */
  maxQueuedBytesPerChannel?: number;
  /** How long a repeated warning of one kind is logged once and then counted (see repeated-warnings.ts). */
  repeatedWarningWindowMs?: number;
  /** `redis://…`: share channels with other instances. */
  redisUrl?: string;
  /** Hold deliveries for known channels with no listener (`--offline hold`); without it, 503 (`refuse`). */
  hold?: HoldSettings;
  log?: RelayLogger;
}

export type RelayLogger = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

export const RELAY_DEFAULTS = {
  answerTimeoutMs: 10_000,
  maxBodyBytes: 1024 * 1024,
  pingIntervalMs: 15_000,
  reconnectGraceMs: 2_000,
  methods: ['POST'],
  rateLimit: 50,
  maxChannelsPerKey: 10,
  maxPendingPerChannel: 100,
  maxQueuedBytesPerChannel: 8 * 1024 * 1024,
  repeatedWarningWindowMs: 10_000,
} as const;

export type RelaySettings = Required<
  Omit<RelayOptions, 'publicUrl' | 'access' | 'redisUrl' | 'log' | 'host' | 'port' | 'requestTimeoutMs' | 'hold'>
> & { publicUrl?: string };

/** `options` with every default filled in (methods upper-cased). */
export function relaySettings(options: RelayOptions): RelaySettings {
  return {
    answerTimeoutMs: options.answerTimeoutMs ?? RELAY_DEFAULTS.answerTimeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? RELAY_DEFAULTS.maxBodyBytes,
    pingIntervalMs: options.pingIntervalMs ?? RELAY_DEFAULTS.pingIntervalMs,
    reconnectGraceMs: options.reconnectGraceMs ?? RELAY_DEFAULTS.reconnectGraceMs,
    methods: (options.methods ?? RELAY_DEFAULTS.methods).map((m) => m.toUpperCase()),
    rateLimit: options.rateLimit ?? RELAY_DEFAULTS.rateLimit,
    maxChannelsPerKey: options.maxChannelsPerKey ?? RELAY_DEFAULTS.maxChannelsPerKey,
    maxPendingPerChannel: options.maxPendingPerChannel ?? RELAY_DEFAULTS.maxPendingPerChannel,
    maxQueuedBytesPerChannel: options.maxQueuedBytesPerChannel ?? RELAY_DEFAULTS.maxQueuedBytesPerChannel,
    repeatedWarningWindowMs: options.repeatedWarningWindowMs ?? RELAY_DEFAULTS.repeatedWarningWindowMs,
    publicUrl: options.publicUrl,
  };
}

export function requireRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:')
    throw new UsageError(
      `--redis "${redactUrl(value)}" is not a redis:// or rediss:// URL`,
      'e.g. --redis redis://127.0.0.1:6379',
    );
  return value;
}

export function requireMethods(methods: string[]): string[] {
  const upper = methods.map((m) => m.toUpperCase());
  const bad = upper.find((m) => !/^[A-Z]+$/.test(m));
  if (bad !== undefined || upper.length === 0)
    throw new UsageError(`--methods "${methods.join(',')}" is not a list of HTTP methods`, 'e.g. --methods POST,PUT');
  return upper;
}

/**
 * The relay's keys. With none, the relay runs open on a loopback address (and says so); on any
 * other address only with --open, since anyone who can reach it could serve from its domain —
 * at start and at every reload of the keys file.
 */
export function openRelayAccess(options: {
  keysFlag?: string;
  env: NodeJS.ProcessEnv;
  host: string;
  open: boolean;
  log: RelayLogger;
}): RelayAccess {
  const path = relayKeysPath(options.keysFlag, options.env);
  const access = new RelayAccess(path, {
    mayRunOpen: options.open || isLoopbackHost(options.host),
    log: options.log,
  });
  if (access.refusesToRunOpen) {
    throw new UsageError(
      `refusing to run open on ${options.host}: there are no relay keys in ${path}, so anyone who can reach it could open a channel`,
      'add a key with `webhooks-cli relay keys add NAME` (listeners pass it with --relay-key), or pass --open to run without keys',
    );
  }
  return access;
}

/** Once listening on `url`: whether listeners need a key, in one log line. */
export function logAccess(access: RelayAccess, url: string, log: RelayLogger): void {
  if (access.closedBecause) return; // said when it was read
  if (access.required) {
    log(
      'info',
      `${access.liveKeyCount} live relay key(s) in ${access.path}: listeners must present one (--relay-key); changes to the file apply without a restart`,
      { keys: access.liveKeyCount },
    );
  } else {
    log(
      'warn',
      `running open: no relay keys in ${access.path}, so anyone who can reach ${url} can open a channel (add one with: webhooks-cli relay keys add NAME)`,
      { open: true },
    );
  }
}
