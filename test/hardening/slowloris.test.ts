/**
 * Slowloris against the three servers (`listen`, `serve`, `relay`, also on Redis), each a real process started
 * with `--request-timeout 1s`: a silent socket, headers sent byte by byte forever, and a body that
 * trickles are all cut off by the deadline (408), while normal requests keep being answered.
 */

import { createHmac } from 'node:crypto';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { spawnCli } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { skipWithout } from '../helpers/required-program.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';

const TIMEOUT_MS = 1_000;
/** node checks the deadlines every second at most; the closing itself takes a moment. */
const LATEST_CLOSE_MS = TIMEOUT_MS + 1_000 + 700;
const TOKEN = 'slow-token';
const SECRET = 'slow-secret';

interface SlowSocket {
  name: string;
  /** When the server closed it, in ms after it was opened; what it answered before closing. */
  closed: Promise<{ afterMs: number; answer: string }>;
}

/** Opens a socket that sends `head` at once, then one byte of `drip` every 50 ms, until the server closes it. */
function slowSocket(port: number, name: string, head: string, drip: string): SlowSocket {
  const socket = net.connect(port, '127.0.0.1');
  const opened = Date.now();
  let answer = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    if (head) socket.write(head);
    let i = 0;
    if (drip) timer = setInterval(() => socket.writable && socket.write(drip[i++ % drip.length]!), 50);
  });
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => {});
  // Never left behind by a failing test.
  const guard = setTimeout(() => socket.destroy(), 10_000);
  return {
    name,
    closed: new Promise((resolve) =>
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(guard);
        resolve({ afterMs: Date.now() - opened, answer });
      }),
    ),
  };
}

interface Target {
  port: number;
  /** A request line and headers the server accepts, for a body to trickle into. */
  slowBodyHead: string;
  /** A normal request; resolves with its status. */
  normal: () => Promise<number>;
  normalStatus: number;
}

/** Runs the three slow sockets against `target` while sending a normal request every 100 ms. */
async function slowloris(target: Target) {
  const sockets = [
    slowSocket(target.port, 'silent', '', ''),
    slowSocket(
      target.port,
      'headers byte by byte',
      '',
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(10_000)}`,
    ),
    slowSocket(target.port, 'trickling body', target.slowBodyHead, 'x'),
  ];
  const normals: Array<{ status: number; ms: number }> = [];
  let done = false;
  const all = Promise.all(sockets.map((s) => s.closed)).finally(() => (done = true));
  while (!done) {
    const started = Date.now();
    normals.push({ status: await target.normal(), ms: Date.now() - started });
    await new Promise((r) => setTimeout(r, 100));
  }
  const closed = await all;
  return { closed: Object.fromEntries(sockets.map((s, i) => [s.name, closed[i]!])), normals };
}

function expectCutOffInTime(result: Awaited<ReturnType<typeof slowloris>>, normalStatus: number) {
  for (const [name, { afterMs, answer }] of Object.entries(result.closed)) {
    expect(afterMs, `${name} closed after ${afterMs} ms`).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(afterMs, `${name} closed after ${afterMs} ms`).toBeLessThanOrEqual(LATEST_CLOSE_MS);
    // A socket that sent something is told why it is closed.
    if (name !== 'silent') expect(answer, name).toMatch(/^HTTP\/1\.1 408 /);
  }
  // Meanwhile the server kept answering, promptly.
  expect(result.normals.length).toBeGreaterThanOrEqual(5);
  expect(result.normals.every((n) => n.status === normalStatus && n.ms < 500)).toBe(true);
}

const started: Array<{ stop: () => Promise<unknown> }> = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

describe('slowloris', () => {
  it('listen cuts off slow clients at --request-timeout, records the 408s, and keeps receiving', async () => {
    const listener: RunningListener = await startListen(['--secret', SECRET, '--request-timeout', '1s']);
    started.push(listener);
    const body = '{"event":"customer.cart.added","data":{}}';
    const result = await slowloris({
      port: listener.port,
      slowBodyHead:
        'POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      normal: async () =>
        (
          await fetch(listener.url, {
            method: 'POST',
            body,
            headers: { 'x-webhook-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
          })
        ).status,
      normalStatus: 200,
    });
    expectCutOffInTime(result, 200);

    started.splice(started.indexOf(listener), 1);
    const exit = await listener.stop();
    expect(exit.exitCode).toBe(0);
    const store = HistoryStore.open(listener.dbPath);
    try {
      // Each cut-off socket that got an answer is in the history, as are the normal requests.
      expect(store.count({ status: 408 })).toBe(3);
      expect(store.count({ status: 200 })).toBe(result.normals.length);
    } finally {
      store.close();
    }
  });

  it('serve cuts off slow API clients and keeps answering', async () => {
    const serve: ServeProcess = await startServe(['--request-timeout', '1s'], { token: TOKEN });
    started.push(serve);
    const port = Number(new URL(serve.url).port);
    const result = await slowloris({
      port,
      slowBodyHead: `POST /api/v1/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
      normal: async () => (await serve.call('GET', '/api/v1/webhooks')).status,
      normalStatus: 200,
    });
    expectCutOffInTime(result, 200);
    expect(serve.process.exitCode).toBe(null);
    expect(serve.stderr()).not.toMatch(/Error|\n\s+at /);
  });

  async function relayCutsOffSlowSenders(extraArgs: string[]) {
    const relay: RelayProcess = await startRelayProcess(0, ['--request-timeout', '1s', ...extraArgs]);
    started.push(relay);
    const result = await slowloris({
      port: relay.port,
      slowBodyHead: `POST /ch_${'A'.repeat(22)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
      normal: async () => (await fetch(`${relay.url}/healthz`)).status,
      normalStatus: 200,
    });
    expectCutOffInTime(result, 200);
    started.splice(started.indexOf(relay), 1);
    expect(await relay.stop()).toBe(0);
    expect(relay.stderr()).not.toMatch(/\n\s+at /);
  }

  it('relay cuts off slow senders and keeps answering', () => relayCutsOffSlowSenders([]));

  it.skipIf(skipWithout('redis-server', ['--version']))(
    'a relay on Redis cuts off slow senders and keeps answering',
    async () => {
      const redis = await startRedisServer();
      started.push(redis);
      await relayCutsOffSlowSenders(['--redis', redis.url]);
    },
  );

  it('all three document the timeout and default it to 30s', async () => {
    for (const command of ['listen', 'serve', 'relay']) {
      const help = await spawnCli([command, '--help']);
      expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--request-timeout <duration> .*\(default: 30s\)/);
    }
  });
});
