/**
 * The hold store of relays sharing channels on Redis (`relay --redis`): one Redis Stream per
 * channel (`relay:held:<channel>`), so any instance can hold a delivery and any instance can hand
 * it to the listener wherever it reconnects. Loaded only with --redis.
 *
 * - `relay:known` (hash): channel → SHA-256 of the key its listener was admitted with ('' when open).
 * - `relay:held:<channel>` (stream): one entry per delivery: `m` its method, path, headers and
 *   remote address (JSON), `r` arrival time, `s` body size, `b` the body's exact bytes.
 * - `relay:held-bytes` (hash): channel → body bytes held, for `--hold-max-bytes`.
 *
 * The limit check and the append are one Lua script, so two instances never both take the last
 * place; the script also publishes `relay:held:<channel>`, which the instance holding that
 * channel's listener hears (redis-bridge.ts) and drains at once. How durable a 202 is depends on
 * Redis's persistence: with `appendonly yes` and `appendfsync always` a held delivery survives a
 * Redis crash; with `everysec`, up to a second of them may not (see the README).
 */
import { Redis } from 'ioredis';
import { redactUrl } from '../core/redact.js';
import { UserError } from '../errors.js';
import type {
  ChannelHolding,
  HeldDelivery,
  HoldLimits,
  HoldOutcome,
  HoldStore,
  KnownChannel,
  NewHeldDelivery,
} from './hold-store.js';

const KNOWN = 'relay:known';
const BYTES = 'relay:held-bytes';
const STREAM_PREFIX = 'relay:held:';
/** Published after each hold; the same name as the stream, in pub/sub's own namespace. */
export const HELD_NOTICE_PREFIX = 'relay:held:';

const HOLD = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {0, 'unknown'} end
local size = tonumber(ARGV[4])
local bytes = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[2]) or bytes + size > tonumber(ARGV[3]) then return {0, 'full'} end
local id = redis.call('XADD', KEYS[1], '*', 'm', ARGV[5], 'r', ARGV[6], 's', ARGV[4], 'b', ARGV[7])
redis.call('HINCRBY', KEYS[3], ARGV[1], size)
redis.call('PUBLISH', '${HELD_NOTICE_PREFIX}' .. ARGV[1], id)
return {1, id}`;

/** Deletes the given ids and gives their bytes back; returns how many were there. */
const REMOVE = `
local count, bytes = 0, 0
for i = 2, #ARGV do
  local found = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])
  if #found > 0 then
    local fields = found[1][2]
    for j = 1, #fields, 2 do if fields[j] == 's' then bytes = bytes + tonumber(fields[j + 1]) end end
    count = count + redis.call('XDEL', KEYS[1], ARGV[i])
  end
end
if bytes > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1], -bytes) end
return count`;

/** Deletes the oldest entries while they arrived before ARGV[2]; returns how many. */
const EXPIRE = `
local count, bytes = 0, 0
while true do
  local batch = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 200)
  if #batch == 0 then break end
  local young = false
  for _, entry in ipairs(batch) do
    local fields, at, size = entry[2], 0, 0
    for j = 1, #fields, 2 do
      if fields[j] == 'r' then at = tonumber(fields[j + 1]) elseif fields[j] == 's' then size = tonumber(fields[j + 1]) end
    end
    if at >= tonumber(ARGV[2]) then young = true break end
    redis.call('XDEL', KEYS[1], entry[1])
    count = count + 1
    bytes = bytes + size
  end
  if young then break end
end
if bytes > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1], -bytes) end
return count`;

const DROP = `
local count = redis.call('XLEN', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], 0)
return count`;

const retryStrategy = (times: number) => Math.min(times * 250, 2_000);

export class RedisHoldStore implements HoldStore {
  readonly kind = 'redis';
  readonly location: string;
  readonly #redis: Redis;
  #lastError: string | undefined;

  private constructor(url: string) {
    this.location = redactUrl(url);
    // No offline queue: while Redis is away a hold fails at once, and the sender gets a 503.
    this.#redis = new Redis(url, {
      lazyConnect: true,
      retryStrategy,
      connectTimeout: 5_000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    this.#redis.on('error', (err: Error) => {
      this.#lastError = err.message;
    });
  }

  /** Connects; Redis unreachable is a one-line error naming the URL. */
  static async open(url: string): Promise<RedisHoldStore> {
    const store = new RedisHoldStore(url);
    try {
      await store.#redis.connect();
    } catch (err) {
      store.#redis.disconnect();
      throw new UserError(`cannot reach Redis at ${store.location}: ${store.#lastError ?? (err as Error).message}`, {
        hint: 'start Redis there, or fix --redis / WEBHOOKS_RELAY_REDIS',
        cause: err,
      });
    }
    return store;
  }

  get up(): boolean {
    return this.#redis.status === 'ready';
  }

  async remember(channel: string, keySha256: string | null): Promise<void> {
    await this.#redis.hset(KNOWN, channel, keySha256 ?? '');
  }

  async known(channel: string): Promise<KnownChannel | undefined> {
    const key = await this.#redis.hget(KNOWN, channel);
    return key === null ? undefined : { keySha256: key || null };
  }

  async hold(d: NewHeldDelivery, limits: HoldLimits): Promise<HoldOutcome> {
    const meta = JSON.stringify({ method: d.method, path: d.path, headers: d.headers, remoteAddress: d.remoteAddress });
    const [ok, value] = (await this.#redis.eval(
      HOLD,
      3,
      STREAM_PREFIX + d.channel,
      KNOWN,
      BYTES,
      d.channel,
      limits.maxCount,
      limits.maxBytes,
      d.body.length,
      meta,
      d.receivedAt,
      d.body,
    )) as [number, string];
    if (ok === 1) return { held: true, seq: value };
    return { held: false, reason: value === 'unknown' ? 'unknown' : 'full' };
  }

  async read(channel: string, afterSeq: string | undefined, limit: number): Promise<HeldDelivery[]> {
    const entries = await this.#redis.xrangeBuffer(
      STREAM_PREFIX + channel,
      afterSeq === undefined ? '-' : `(${afterSeq}`,
      '+',
      'COUNT',
      limit,
    );
    return entries.map(([id, fields]) => toDelivery(channel, id.toString(), fields));
  }

  async remove(channel: string, seqs: readonly string[]): Promise<number> {
    if (seqs.length === 0) return 0;
    return (await this.#redis.eval(REMOVE, 2, STREAM_PREFIX + channel, BYTES, channel, ...seqs)) as number;
  }

  async expire(before: number, channel?: string): Promise<Array<{ channel: string; count: number }>> {
    const channels = channel === undefined ? (await this.knownChannels()).map((c) => c.channel) : [channel];
    const expired: Array<{ channel: string; count: number }> = [];
    for (const name of channels) {
      const count = (await this.#redis.eval(EXPIRE, 2, STREAM_PREFIX + name, BYTES, name, before)) as number;
      if (count > 0) expired.push({ channel: name, count });
    }
    return expired;
  }

  async holding(channel: string): Promise<ChannelHolding> {
    const [[, count], [, bytes], [, first]] = (await this.#redis
      .pipeline()
      .xlen(STREAM_PREFIX + channel)
      .hget(BYTES, channel)
      .xrangeBuffer(STREAM_PREFIX + channel, '-', '+', 'COUNT', 1)
      .exec()) as [[null, number], [null, string | null], [null, Array<[Buffer, Buffer[]]>]];
    const oldest = first[0];
    return {
      channel,
      count,
      bytes: Number(bytes ?? 0),
      oldestAt: oldest ? toDelivery(channel, oldest[0].toString(), oldest[1]).receivedAt : null,
    };
  }

  async list(): Promise<ChannelHolding[]> {
    const known = await this.knownChannels();
    const all = await Promise.all(known.map(({ channel }) => this.holding(channel)));
    return all.filter((c) => c.count > 0).sort((a, b) => (a.oldestAt ?? 0) - (b.oldestAt ?? 0));
  }

  async drop(channel: string): Promise<number> {
    return (await this.#redis.eval(DROP, 2, STREAM_PREFIX + channel, BYTES, channel)) as number;
  }

  async knownChannels(): Promise<Array<{ channel: string } & KnownChannel>> {
    const all = await this.#redis.hgetall(KNOWN);
    return Object.entries(all).map(([channel, key]) => ({ channel, keySha256: key || null }));
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

function toDelivery(channel: string, seq: string, fields: Buffer[]): HeldDelivery {
  const values = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!.toString(), fields[i + 1]!);
  const meta = JSON.parse(values.get('m')?.toString('utf8') ?? '{}') as Pick<
    HeldDelivery,
    'method' | 'path' | 'headers' | 'remoteAddress'
  >;
  return {
    seq,
    channel,
    method: meta.method,
    path: meta.path,
    headers: meta.headers,
    remoteAddress: meta.remoteAddress,
    receivedAt: Number(values.get('r')?.toString() ?? 0),
    body: values.get('b') ?? Buffer.alloc(0),
  };
}
