/**
 * Several `relay --redis` processes sharing channels through a real redis-server: a sender on
 * one instance reaches the listener on another and gets the app's own answer; no listener
 * anywhere is a 503; the newest connection wins across instances; a killed instance's listener
 * comes back through a balancer with its URL; Redis stopped and restarted.
 */
import { createHmac } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelCredentials, TunnelClient } from '../../src/tunnel/tunnel-client.js';
import { isolatedEnv, spawnCli, tempDir } from '../helpers/cli.js';
import { packagesInTrace, TRACED_BIN } from '../helpers/loaded-packages.js';
import { type PythonApp, startPythonApp } from '../helpers/python-app.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { type ListenProcess, spawnListen } from '../helpers/relay-listen.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { skipWithout } from '../helpers/required-program.js';
import { freePort } from '../helpers/servers.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const SECRET = 'redis-relay-secret';
const skip = skipWithout('redis-server', ['--version']);
let redis: RedisServer;
let app: PythonApp;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  if (skip) return;
  [redis, app] = await Promise.all([startRedisServer(), startPythonApp(SECRET)]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), app?.stop()]);
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function instance(args: string[] = []): Promise<RelayProcess> {
  const relay = await startRelayProcess(0, ['--redis', redis.url, ...args]);
  cleanups.push(() => relay.stop('SIGKILL'));
  return relay;
}

async function listenVia(wsUrl: string, args: string[] = []): Promise<ListenProcess & { publicUrl: string }> {
  const listener = spawnListen(wsUrl, ['--forward-to', app.url, ...args], { secret: SECRET });
  cleanups.push(() => listener.stop());
  const publicUrl = await listener.waitFor(/relay: connected — public URL (\S+)/);
  return Object.assign(listener, { publicUrl });
}

/** The same channel path on another instance. */
function on(relay: RelayProcess, publicUrl: string): string {
  return relay.url + new URL(publicUrl).pathname;
}

function signedPost(url: string, event = 'catalog.product.created') {
  const body = JSON.stringify({ event, timestamp: '2026-12-01T10:00:00Z', data: { product_id: 'prod_1' } });
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      'x-webhook-event': event,
      'x-webhook-delivery': `dlv_${Math.random().toString(36).slice(2)}`,
    },
  });
}

async function status(url: string): Promise<{ status: number; relayError: string | null }> {
  const res = await signedPost(url);
  await res.arrayBuffer();
  return { status: res.status, relayError: res.headers.get('x-relay-error') };
}

describe.skipIf(skip)('relay instances on Redis', () => {
  it('loads the Redis client only with --redis', async () => {
    const packagesLoaded = async (args: string[]) => {
      const child = execa(process.execPath, [...TRACED_BIN, '--json', 'relay', '--port', '0', ...args], {
        reject: false,
        env: isolatedEnv(tempDir()),
        timeout: 30_000,
      });
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      child.kill('SIGTERM');
      const { stderr } = await child;
      return new Set(packagesInTrace(stderr));
    };
    const without = await packagesLoaded([]);
    expect(without.has('ioredis')).toBe(false);
    expect(without.has('prom-client')).toBe(true);
    expect((await packagesLoaded(['--redis', redis.url])).has('ioredis')).toBe(true);
  });

  it('refuses to start when Redis is unreachable, in one line naming the URL', async () => {
    const port = await freePort();
    const result = await spawnCli(['relay', '--port', '0', '--redis', `redis://127.0.0.1:${port}`], {
      timeout: 20_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED .* — start Redis there, or fix --redis`,
      ),
    );
  });

  it("carries a delivery sent to instance B to the listener on instance A, with the signature intact and the app's own answer", async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const listener = await listenVia(a.wsUrl);
    const viaB = on(b, listener.publicUrl);

    const sent = await spawnCli(['--json', 'trigger', 'customer.purchase.completed', '--to', viaB, '--secret', SECRET]);
    expect(JSON.parse(sent.stdout).deliveries[0].status).toBe(202);

    const res = await signedPost(viaB, 'catalog.product.updated');
    expect(res.status).toBe(202);
    expect(await res.text()).toContain('accepted catalog.product.updated');
    // The app's page is never served as one of the relay's: its CSP is replaced, sniffing is off,
    // and headers off the allowlist (its X-App) stay behind.
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('x-app')).toBeNull();
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    // A wrong signature reaches nobody's app: listen itself answers 401, back across Redis.
    const forged = await fetch(viaB, {
      method: 'POST',
      body: '{"event":"x"}',
      headers: { 'x-webhook-signature': `sha256=${'0'.repeat(64)}` },
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('x-relay-error')).toBeNull();

    // Only POST crosses by default.
    const get = await fetch(viaB);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    expect(b.stderr()).not.toMatch(/\n\s+at /);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/^relay_requests_total\{status="202"\} 2$/m);
    expect(metrics).toMatch(/^relay_redis_up 1$/m);
  });

  it('answers 503 when no instance holds the channel', async () => {
    const [, b] = await Promise.all([instance(), instance()]);
    const answer = await status(`${b.url}/ch_${'Q'.repeat(22)}`);
    expect(answer).toEqual({ status: 503, relayError: 'no_client' });
  });

  it('lets the newest connection win across instances', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const handler = async () => ({ status: 204, headers: {}, body: Buffer.alloc(0) });
    let credentials: ChannelCredentials | undefined;
    const first = new TunnelClient({ relayUrl: a.wsUrl, handler, onCredentials: (c) => (credentials = c) });
    cleanups.push(() => first.stop(100));
    first.start();
    await until(() => first.status().state === 'connected');
    const second = new TunnelClient({ relayUrl: b.wsUrl, handler, credentials });
    cleanups.push(() => second.stop(100));
    second.start();
    expect(await first.done).toMatchObject({ reason: 'replaced' });
    // B announces the new connection before it greets its listener, so the older one may go first.
    await until(() => second.status().state === 'connected');
    // The channel now answers from B's listener, whichever instance the sender reaches.
    expect((await status(`${a.url}/${credentials!.channel}`)).status).toBe(204);
  });

  it("keeps the listener's URL when its instance is killed: it reconnects through the balancer to another", async () => {
    const [a, b, c] = await Promise.all([instance(), instance(), instance()]);
    const balancer = await startTcpProxy([a.port, b.port]);
    cleanups.push(() => balancer.close());
    const listener = await listenVia(`ws://127.0.0.1:${balancer.port}`);
    expect(listener.publicUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${balancer.port}/ch_`));
    expect((await status(on(c, listener.publicUrl))).status).toBe(202);

    await a.stop('SIGKILL');
    const again = await listener.waitFor(/relay: connected — public URL (\S+)/, 2, 30_000);
    expect(again).toBe(listener.publicUrl);
    expect(b.stderr()).toMatch(/channel ch_\S+ connected/);
    // Through the balancer (now B) and through C (via Redis): the app's answer both ways.
    expect((await status(listener.publicUrl)).status).toBe(202);
    expect((await status(on(c, listener.publicUrl))).status).toBe(202);
  });

  it('keeps its own channels while Redis is down, answers 503 for the others, and reconnects by itself', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const listener = await listenVia(a.wsUrl);
    expect((await status(on(b, listener.publicUrl))).status).toBe(202);

    await redis.stop('SIGKILL');
    try {
      await until(
        async () => ((await (await fetch(`${b.url}/healthz`)).json()) as { redis?: string }).redis === 'down',
      );
      expect(await status(on(b, listener.publicUrl))).toEqual({ status: 503, relayError: 'redis unavailable' });
      expect((await status(listener.publicUrl)).status).toBe(202);
      expect(await fetch(`${b.url}/metrics`).then((r) => r.text())).toMatch(/^relay_redis_up 0$/m);
      await until(() => /redis connection lost \(redis:\/\/127\.0\.0\.1:\d+/.test(b.stderr()));
    } finally {
      await redis.start();
    }
    await until(
      () => /redis reconnected/.test(a.stderr()) && /redis reconnected/.test(b.stderr()),
      20_000,
      'both instances reconnected',
    );
    // Subscriptions are restored: B reaches A's listener again.
    await until(
      async () => (await status(on(b, listener.publicUrl))).status === 202,
      20_000,
      'cross-instance delivery after Redis is back',
    );
    expect(a.stderr() + b.stderr()).not.toMatch(/\n\s+at /);
  });
});
