/**
 * The relay's hold store, one contract for both implementations: SQLite in a temp folder and
 * Redis Streams on a real redis-server. Held deliveries come back byte for byte, in arrival
 * order; limits refuse rather than drop; expiry, drop and the known channels.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldStore, NewHeldDelivery } from '../../src/store/hold-store.js';
import { RedisHoldStore } from '../../src/store/redis-hold-store.js';
import { SqliteHoldStore } from '../../src/store/sqlite-hold-store.js';
import { tempDir } from '../helpers/cli.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/required-program.js';

const skipRedis = skipWithout('redis-server', ['--version']);
let redis: RedisServer | undefined;
beforeAll(async () => {
  if (!skipRedis) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const LIMITS = { maxCount: 100, maxBytes: 1024 * 1024 };

function channel(): string {
  return `ch_${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

function delivery(channelId: string, n: number, extra: Partial<NewHeldDelivery> = {}): NewHeldDelivery {
  return {
    channel: channelId,
    method: 'POST',
    path: '/',
    headers: {
      'content-type': 'application/json',
      'x-webhook-signature': `sha256=${'ab'.repeat(32)}`,
      'x-webhook-delivery': `dlv_${n}`,
      'x-many': ['a', 'b'],
    },
    remoteAddress: '127.0.0.1',
    receivedAt: 1_700_000_000_000 + n,
    body: Buffer.from(`{"n":${n},"price":89.90,"name":"Ré\\u00e9"}`),
    ...extra,
  };
}

const stores: Array<[string, () => Promise<HoldStore>, boolean]> = [
  ['SQLite', async () => SqliteHoldStore.open(tempDir()), false],
  ['Redis Streams', async () => RedisHoldStore.open(redis!.url), skipRedis],
];

describe.each(stores)('the hold store on %s', (_name, open, skip) => {
  it.skipIf(skip)(
    'holds only for known channels, and gives back the exact bytes, headers and arrival time in order',
    async () => {
      const store = await open();
      try {
        const ch = channel();
        expect(await store.hold(delivery(ch, 0), LIMITS)).toEqual({ held: false, reason: 'unknown' });
        expect(await store.known(ch)).toBeUndefined();
        await store.remember(ch, 'f'.repeat(64));
        expect(await store.known(ch)).toEqual({ keySha256: 'f'.repeat(64) });

        const binary = Buffer.from([0, 255, 10, 13, 0x80, 0x22]);
        const sent = [delivery(ch, 1), delivery(ch, 2, { body: binary, path: '/orders?x=1' }), delivery(ch, 3)];
        const seqs: string[] = [];
        for (const d of sent) {
          const outcome = await store.hold(d, LIMITS);
          expect(outcome.held).toBe(true);
          if (outcome.held) seqs.push(outcome.seq);
        }
        const all = await store.read(ch, undefined, 10);
        expect(all.map((d) => d.seq)).toEqual(seqs);
        expect(all.map(({ seq: _s, ...rest }) => rest)).toEqual(sent);
        expect(Buffer.compare(all[1]!.body, binary)).toBe(0);
        // Read on from a cursor.
        expect((await store.read(ch, seqs[0], 10)).map((d) => d.seq)).toEqual(seqs.slice(1));
        expect(await store.read(ch, seqs[2], 10)).toEqual([]);

        const holding = await store.holding(ch);
        expect(holding).toEqual({
          channel: ch,
          count: 3,
          bytes: sent.reduce((n, d) => n + d.body.length, 0),
          oldestAt: sent[0]!.receivedAt,
        });
        // A sequence number named twice is removed once.
        expect(await store.remove(ch, [seqs[0]!, seqs[0]!, seqs[1]!])).toBe(2);
        expect((await store.holding(ch)).count).toBe(1);
        expect((await store.holding(ch)).bytes).toBe(sent[2]!.body.length);
      } finally {
        await store.close();
      }
    },
  );

  it.skipIf(skip)('refuses past the count or the bytes limit, and takes again once there is room', async () => {
    const store = await open();
    try {
      const ch = channel();
      await store.remember(ch, null);
      const limits = { maxCount: 3, maxBytes: 10_000 };
      const seqs: string[] = [];
      for (let n = 0; n < 3; n++) {
        const outcome = await store.hold(delivery(ch, n), limits);
        if (outcome.held) seqs.push(outcome.seq);
      }
      expect(seqs).toHaveLength(3);
      expect(await store.hold(delivery(ch, 3), limits)).toEqual({ held: false, reason: 'full' });
      await store.remove(ch, [seqs[0]!]);
      expect((await store.hold(delivery(ch, 4), limits)).held).toBe(true);

      const big = channel();
      await store.remember(big, null);
      const bytes = { maxCount: 100, maxBytes: 100 };
      expect((await store.hold(delivery(big, 0, { body: Buffer.alloc(60) }), bytes)).held).toBe(true);
      expect(await store.hold(delivery(big, 1, { body: Buffer.alloc(41) }), bytes)).toEqual({
        held: false,
        reason: 'full',
      });
      expect((await store.hold(delivery(big, 2, { body: Buffer.alloc(40) }), bytes)).held).toBe(true);
      // Concurrent holds never take more than the limit between them.
      const race = channel();
      await store.remember(race, null);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, n) => store.hold(delivery(race, n), { maxCount: 7, maxBytes: 1e6 })),
      );
      expect(outcomes.filter((o) => o.held)).toHaveLength(7);
      expect((await store.holding(race)).count).toBe(7);
    } finally {
      await store.close();
    }
  });

  it.skipIf(skip)('expires by arrival time, drops a channel, lists what is held and the known channels', async () => {
    const store = await open();
    try {
      const [a, b] = [channel(), channel()];
      await store.remember(a, null);
      await store.remember(b, 'e'.repeat(64));
      for (let n = 0; n < 5; n++) await store.hold(delivery(a, n * 1000), LIMITS);
      for (let n = 0; n < 3; n++) await store.hold(delivery(b, 500 + n), LIMITS);
      const listed = (await store.list()).filter((c) => c.channel === a || c.channel === b);
      expect(listed.map((c) => [c.channel, c.count])).toEqual([
        [a, 5],
        [b, 3],
      ]);

      // Before 1_700_000_002_000: a's first two, and all of b's (which arrived at …500 to …502).
      const expired = await store.expire(1_700_000_002_000);
      expect(expired.filter((e) => e.channel === a || e.channel === b)).toEqual(
        expect.arrayContaining([
          { channel: a, count: 2 },
          { channel: b, count: 3 },
        ]),
      );
      expect((await store.read(a, undefined, 10)).map((d) => d.receivedAt - 1_700_000_000_000)).toEqual([
        2000, 3000, 4000,
      ]);
      expect(await store.expire(1_700_000_004_000, b)).toEqual([]);
      expect(await store.expire(1_700_000_004_000, a)).toEqual([{ channel: a, count: 2 }]);
      expect((await store.holding(a)).bytes).toBe(delivery(a, 4000).body.length);

      expect(await store.drop(a)).toBe(1);
      expect(await store.holding(a)).toEqual({ channel: a, count: 0, bytes: 0, oldestAt: null });
      expect((await store.list()).some((c) => c.channel === a || c.channel === b)).toBe(false);
      expect(await store.knownChannels()).toEqual(
        expect.arrayContaining([
          { channel: a, keySha256: null },
          { channel: b, keySha256: 'e'.repeat(64) },
        ]),
      );
    } finally {
      await store.close();
    }
  });
});

describe('the SQLite hold store', () => {
  it('keeps what it held, and the channels it knows, across a reopen; a sequence number is never reused', async () => {
    const dir = tempDir();
    const first = SqliteHoldStore.open(dir);
    const ch = channel();
    await first.remember(ch, null);
    const one = await first.hold(delivery(ch, 1), LIMITS);
    const two = await first.hold(delivery(ch, 2), LIMITS);
    if (!one.held || !two.held) throw new Error('not held');
    await first.remove(ch, [two.seq]);
    await first.close();

    const again = SqliteHoldStore.open(dir);
    try {
      expect(await again.known(ch)).toEqual({ keySha256: null });
      expect((await again.read(ch, undefined, 10)).map((d) => d.seq)).toEqual([one.seq]);
      const three = await again.hold(delivery(ch, 3), LIMITS);
      if (!three.held) throw new Error('not held');
      expect(Number(three.seq)).toBeGreaterThan(Number(two.seq));
      // A drain that had sent up to `two` still finds `three` after its cursor.
      expect((await again.read(ch, two.seq, 10)).map((d) => d.seq)).toEqual([three.seq]);
    } finally {
      await again.close();
    }
  });
});
