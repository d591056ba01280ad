/**
 * "Newest connection wins" across relay instances on a real redis-server, when two connections
 * for one channel arrive at the same moment on two instances: exactly one must keep the channel
 * (the other is told it was replaced), and both instances must reach it. Many trials, since the
 * losing interleavings are a matter of timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayServer } from '../../src/relay/relay-server.js';
import { channelIdForToken, newChannelToken } from '../../src/tunnel/channel-token.js';
import { CLOSE_REPLACED } from '../../src/tunnel/frame-codec.js';
import { connectRawListener, type RawListener } from '../helpers/raw-tunnel-listener.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/required-program.js';
import { until } from '../helpers/until.js';

const TRIALS = 40;
const skip = skipWithout('redis-server', ['--version']);
let redis: RedisServer;
let relays: RelayServer[];

beforeAll(async () => {
  if (skip) return;
  redis = await startRedisServer();
  relays = await Promise.all(
    [0, 1].map(() => RelayServer.start({ host: '127.0.0.1', port: 0, redisUrl: redis.url, rateLimit: 10_000 })),
  );
});
afterAll(async () => {
  await Promise.all((relays ?? []).map((relay) => relay.close()));
  await redis?.stop();
});

async function post(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', body: '{}' });
  return { status: res.status, body: await res.text() };
}

describe.skipIf(skip)('two connections for one channel at once on two instances', () => {
  it(`leaves exactly one holder, reachable from both instances (${TRIALS} trials)`, { timeout: 120_000 }, async () => {
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const token = newChannelToken();
      const channel = channelIdForToken(token);
      const names = ['A', 'B'];
      const listeners: RawListener[] = await Promise.all(
        relays.map((relay, i) =>
          connectRawListener(
            relay.url.replace('http', 'ws'),
            () => ({ status: 200, headers: {}, body: Buffer.from(names[i]!) }),
            { channel, headers: { authorization: `Bearer ${token}` }, waitForHello: false },
          ),
        ),
      );
      try {
        await until(() => listeners.some((l) => l.closedWith() !== undefined), 10_000, `trial ${trial}: one gave way`);
        const survivors = listeners.filter((l) => l.closedWith() === undefined);
        const answers = await Promise.all(relays.map((relay) => post(`${relay.url}/${channel}`)));
        outcomes.push(
          `${survivors.length} left, closed with ${listeners.map((l) => l.closedWith() ?? '-').join('/')}, answers ${answers
            .map((a) => `${a.status} ${a.body.slice(0, 10)}`)
            .join(' | ')}`,
        );
        expect(survivors, outcomes.at(-1)).toHaveLength(1);
        const winner = names[listeners.indexOf(survivors[0]!)];
        expect(answers, outcomes.at(-1)).toEqual([
          { status: 200, body: winner },
          { status: 200, body: winner },
        ]);
        expect(listeners.find((l) => l !== survivors[0])!.closedWith()).toBe(CLOSE_REPLACED);
        expect(survivors[0]!.closedWith()).toBeUndefined();
      } finally {
        for (const listener of listeners) listener.close();
      }
      await until(() => relays.every((relay) => relay.stats().channels === 0), 5_000, 'channels forgotten');
    }
  });
});
