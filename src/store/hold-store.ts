/**
 * Where a relay keeps the deliveries it answered `202` for while a channel had no listener, and
 * the channels it knows (those a listener has held), so a restarted relay keeps holding for them.
 * Two implementations: SQLite under `--data-dir` for a single relay (sqlite-hold-store.ts), and
 * Redis Streams with `--redis`, shared by every instance (redis-hold-store.ts). A delivery is
 * kept exactly — body bytes, headers, arrival time — and `hold` resolves only once it is written,
 * so the relay answers 202 only for what a crash cannot take.
 */

/** One delivery the relay holds for a channel. */
export interface HeldDelivery {
  /** Assigned by the store, increasing within a channel: the order of arrival. */
  seq: string;
  channel: string;
  method: string;
  /** Path and query below the channel, e.g. `/`. */
  path: string;
  headers: Record<string, string | string[]>;
  remoteAddress: string | null;
  /** When the relay received it (ms since the epoch). */
  receivedAt: number;
  body: Buffer;
}

export type NewHeldDelivery = Omit<HeldDelivery, 'seq'>;

/** Per channel: at most this many held deliveries, and this many body bytes. */
export interface HoldLimits {
  maxCount: number;
  maxBytes: number;
}

/** `full`: the channel is at `--hold-max` or `--hold-max-bytes`; `unknown`: no listener ever held it. */
export type HoldOutcome = { held: true; seq: string } | { held: false; reason: 'full' | 'unknown' };

/** What one channel holds. */
export interface ChannelHolding {
  channel: string;
  count: number;
  bytes: number;
  /** Arrival time of the oldest held delivery; null when none. */
  oldestAt: number | null;
}

/** A channel a listener has held, and the SHA-256 of the relay key it was admitted with (null: an open relay). */
export interface KnownChannel {
  keySha256: string | null;
}

export interface HoldStore {
  /** `sqlite` or `redis`, for /healthz and logs. */
  readonly kind: 'sqlite' | 'redis';
  /** The file, or the Redis URL with any password hidden. */
  readonly location: string;
  /** Whether the store can take writes now (Redis connected; SQLite always). */
  readonly up: boolean;
  /** A listener held `channel`, admitted with the key of this hash (null on an open relay). */
  remember(channel: string, keySha256: string | null): Promise<void>;
  known(channel: string): Promise<KnownChannel | undefined>;
  /** Keeps `delivery` unless its channel is unknown or over `limits`; resolves once it is written. */
  hold(delivery: NewHeldDelivery, limits: HoldLimits): Promise<HoldOutcome>;
  /** Up to `limit` of `channel`'s held deliveries after `afterSeq` (from the oldest when undefined), in arrival order. */
  read(channel: string, afterSeq: string | undefined, limit: number): Promise<HeldDelivery[]>;
  /** Forgets the given deliveries of `channel` (handed over); returns how many were still held. */
  remove(channel: string, seqs: readonly string[]): Promise<number>;
  /** Drops every delivery that arrived before `before` (ms since the epoch), of one channel or all; per channel, how many. */
  expire(before: number, channel?: string): Promise<Array<{ channel: string; count: number }>>;
  holding(channel: string): Promise<ChannelHolding>;
  /** Every channel holding something, oldest first. */
  list(): Promise<ChannelHolding[]>;
  /** Empties `channel`; returns how many were dropped. */
  drop(channel: string): Promise<number>;
  /** Known channels and the key each was admitted with, for dropping what revoked keys' channels hold. */
  knownChannels(): Promise<Array<{ channel: string } & KnownChannel>>;
  close(): Promise<void>;
}

/** The SQLite file of held deliveries inside `--data-dir`. */
export const HOLD_FILE_NAME = 'relay-held.db';
