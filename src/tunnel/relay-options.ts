/** What a relay is started with, and the defaults of what is left out. */
import type { RelayAccess } from './relay-access.js';

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
  /** `redis://…`: share channels with other instances. */
  redisUrl?: string;
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
} as const;

export type RelaySettings = Required<Omit<RelayOptions, 'publicUrl' | 'access' | 'redisUrl' | 'log' | 'host' | 'port' | 'requestTimeoutMs'>> & { publicUrl?: string };

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
    publicUrl: options.publicUrl,
  };
}
