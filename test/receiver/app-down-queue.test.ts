/**
 * The queue of `--app-down hold` against a real loopback app: what it cannot take is held and
 * passed on in arrival order once it answers; 502/503/504 from the app count as down, a slow app
 * (listen's own 504) does not.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AppDownQueue, MAX_PASS_ON_TRIES } from '../../src/receiver/app-down-queue.js';
import { createForwarder } from '../../src/receiver/forwarder.js';
import type { RawRequest } from '../../src/receiver/raw-exchange.js';
import { freePort } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function request(n: number): RawRequest {
  return {
    method: 'POST',
    path: '/webhook',
    headers: { 'x-webhook-delivery': `dlv_${n}` },
    body: Buffer.from(`{"n":${n}}`),
    remoteAddress: '127.0.0.1',
    via: 'local',
  };
}

/** An app on `port` that records delivery ids and answers `status` (or never, with `hang`). */
async function app(port: number, status = 200, hang = false) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(String(req.headers['x-webhook-delivery']));
      if (!hang) res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { seen, close };
}

function queueTo(port: number, timeoutMs = 2_000) {
  const forwarder = createForwarder(new URL(`http://127.0.0.1:${port}/webhook`), timeoutMs);
  cleanups.push(() => forwarder.close());
  const counts: number[] = [];
  const queue = new AppDownQueue(forwarder.forward, (held) => counts.push(held), { delaysMs: [20, 50] });
  cleanups.push(() => queue.close());
  return { queue, counts };
}

describe('holding deliveries for an app that is down', () => {
  it('holds what a refused connection could not deliver, lets new ones join behind, and passes all on in order', async () => {
    const port = await freePort();
    const { queue, counts } = queueTo(port);
    const first = await queue.forward(request(0));
    expect('passedOn' in first).toBe(true);
    const rest = await Promise.all([1, 2, 3].map((n) => queue.forward(request(n))));
    expect(rest.every((r) => 'passedOn' in r)).toBe(true);
    expect(queue.held).toBe(4);

    const { seen } = await app(port);
    const results = await Promise.all([first, ...rest].map((r) => ('passedOn' in r ? r.passedOn : r.result)));
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200, 200]);
    expect(seen).toEqual(['dlv_0', 'dlv_1', 'dlv_2', 'dlv_3']);
    expect(queue.held).toBe(0);
    expect(counts.at(-1)).toBe(0);
    // With nothing held, a delivery goes straight to the app again.
    const live = await queue.forward(request(4));
    expect('result' in live && live.result.response.status).toBe(200);
  });

  it('treats 502/503/504 from the app as down, but not an app too slow for the timeout', async () => {
    const port = await freePort();
    const unavailable = await app(port, 503);
    const { queue } = queueTo(port, 300);
    const held = await queue.forward(request(1));
    expect('passedOn' in held).toBe(true);
    await until(() => unavailable.seen.length >= 2, 5_000, 'retried');
    await unavailable.close();
    await app(port, 200);
    if ('passedOn' in held) expect((await held.passedOn).response.status).toBe(200);

    const slowPort = await freePort();
    await app(slowPort, 200, true);
    const slow = queueTo(slowPort, 200).queue;
    const answered = await slow.forward(request(2));
    expect('result' in answered && answered.result.response.status).toBe(504);
    expect(slow.held).toBe(0);
  });

  it('retries a held delivery the app answers 500 once back, a bounded number of times, then settles with that answer', async () => {
    const port = await freePort();
    const { queue } = queueTo(port);
    const held = await queue.forward(request(1)); // nothing listens: held
    expect('passedOn' in held).toBe(true);
    const failing = await app(port, 500);
    if (!('passedOn' in held)) return;
    const result = await held.passedOn;
    expect(result.response.status).toBe(500);
    expect(failing.seen).toEqual(Array(MAX_PASS_ON_TRIES).fill('dlv_1'));
    expect(queue.held).toBe(0);
  });

  it('a 500 that clears on a retry is passed on once, as a success', async () => {
    const port = await freePort();
    const { queue } = queueTo(port);
    const held = await queue.forward(request(1));
    let answers = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(++answers === 1 ? 500 : 200).end());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    if ('passedOn' in held) expect((await held.passedOn).response.status).toBe(200);
    expect(answers).toBe(2);
  });

  it('stops retrying on close and says how many it still held', async () => {
    const { queue } = queueTo(await freePort());
    await queue.forward(request(1));
    await queue.forward(request(2));
    expect(queue.close()).toBe(2);
  });
});
