/**
 * A listener that stops reading (its laptop asleep, its process stopped) must not make the relay
 * hold every webhook sent to it: what waits in a channel's WebSocket send buffer is bounded, a
 * sender beyond that gets 503 at once, and the memory is free again once the listener is gone.
 * The listener is a bare WebSocket whose TCP socket is paused; the bytes waiting are read from the
 * relay's own /metrics (relay_queued_bytes, the sum of the channels' WebSocket bufferedAmount).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayOptions } from '../../src/relay/relay-options.js';
import { RelayServer } from '../../src/relay/relay-server.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { connectRawListener } from '../helpers/raw-tunnel-listener.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/required-program.js';
import { until } from '../helpers/until.js';

const MB = 1024 * 1024;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startRelay(options: Partial<RelayOptions> = {}): Promise<RelayServer> {
  const relay = await RelayServer.start({
    host: '127.0.0.1',
    port: 0,
    maxQueuedBytesPerChannel: 4 * MB,
    // Nothing else may end the stall: no pings to miss, senders that wait long enough.
    pingIntervalMs: 600_000,
    answerTimeoutMs: 60_000,
    reconnectGraceMs: 50,
    rateLimit: 10_000,
    ...options,
  });
  cleanups.push(() => relay.close());
  return relay;
}

async function queuedBytes(relay: RelayServer): Promise<number> {
  const scrape = parsePrometheusText(await (await fetch(`${relay.url}/metrics`)).text());
  return scrape.value('relay_queued_bytes') ?? Number.NaN;
}

interface Outcome {
  status: number;
  relayError: string | null;
}

function postMegabyte(url: string, fill: number): Promise<Outcome> {
  return fetch(url, { method: 'POST', body: Buffer.alloc(MB, fill) }).then(
    async (res) => {
      await res.arrayBuffer();
      return { status: res.status, relayError: res.headers.get('x-relay-error') };
    },
    () => ({ status: 0, relayError: null }),
  );
}

describe('a listener that stops reading', () => {
  it('gets no more than the per-channel bound queued for it; further senders get 503 at once; all is freed when it goes', async () => {
    const relay = await startRelay();
    const listener = await connectRawListener(relay.url.replace('http', 'ws'));
    cleanups.push(() => listener.close());
    listener.pause();

    const outcomes: Outcome[] = [];
    const sent = Array.from({ length: 60 }, (_, i) =>
      postMegabyte(listener.publicUrl, i).then((outcome) => outcomes.push(outcome)),
    );
    // Some fill the kernel's buffers and the bound and wait; the others are refused at once.
    await until(() => outcomes.length + relay.stats().pending === 60, 20_000, 'every sender answered or waiting');
    expect(outcomes.every((o) => o.status === 503 && o.relayError === 'listener_stalled')).toBe(true);
    const waiting = relay.stats().pending;
    expect(waiting).toBeGreaterThan(0);
    expect(waiting).toBeLessThan(30);
    const queued = await queuedBytes(relay);
    expect(queued).toBeGreaterThan(0);
    // The bound, plus the one frame that may go out while less than the bound waits.
    expect(queued).toBeLessThanOrEqual(4 * MB + MB + 1024);
    const stalled = await fetch(listener.publicUrl, { method: 'POST', body: Buffer.alloc(MB) });
    expect(stalled.status).toBe(503);
    expect(stalled.headers.get('retry-after')).toBe('5');
    expect(await stalled.json()).toEqual({
      error: {
        code: 'listener_stalled',
        message:
          "this channel's listener is not reading what the relay sends it, and the relay keeps no more for it; retry shortly",
      },
    });

    listener.close();
    await Promise.all(sent);
    // Those whose frame had left get client_gone, those whose frame was still queued client_unreachable.
    const lost = outcomes.filter((o) => o.status === 502);
    expect(lost).toHaveLength(waiting);
    expect(lost.every((o) => o.relayError === 'client_gone' || o.relayError === 'client_unreachable')).toBe(true);
    await until(async () => (await queuedBytes(relay)) === 0 && relay.stats().pending === 0, 10_000, 'all freed');
    expect(relay.stats()).toMatchObject({ channels: 0, connected: 0, pending: 0 });
  });

  it('lets a body larger than the bound through to a listener that keeps up', async () => {
    const relay = await startRelay({ maxQueuedBytesPerChannel: 64 * 1024 });
    const listener = await connectRawListener(relay.url.replace('http', 'ws'), (request) => ({
      status: 200,
      headers: {},
      body: Buffer.from(String(request.body.length)),
    }));
    cleanups.push(() => listener.close());
    for (let i = 0; i < 3; i++) {
      const res = await fetch(listener.publicUrl, { method: 'POST', body: Buffer.alloc(MB) });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(String(MB));
    }
  });
});

const skipRedis = skipWithout('redis-server', ['--version']);

describe.skipIf(skipRedis)('a listener that stops reading, reached through Redis', () => {
  it("answers a sender on another instance 503 with the relay's own X-Relay-Error", async () => {
    const redis: RedisServer = await startRedisServer();
    cleanups.push(() => redis.stop());
    const holder = await startRelay({ redisUrl: redis.url });
    const other = await startRelay({ redisUrl: redis.url });
    const listener = await connectRawListener(holder.url.replace('http', 'ws'));
    cleanups.push(() => listener.close());
    listener.pause();
    const viaOther = other.url + new URL(listener.publicUrl).pathname;

    const outcomes: Outcome[] = [];
    const sent = Array.from({ length: 40 }, (_, i) =>
      postMegabyte(viaOther, i).then((outcome) => outcomes.push(outcome)),
    );
    await until(() => outcomes.length >= 20, 20_000, 'most senders refused');
    expect(outcomes.every((o) => o.status === 503 && o.relayError === 'listener_stalled')).toBe(true);
    expect(await queuedBytes(holder)).toBeLessThanOrEqual(5 * MB + 1024);
    listener.close();
    await Promise.all(sent);
  });
});
