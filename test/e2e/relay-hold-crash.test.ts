/**
 * Crash safety of held deliveries, with real processes: `relay` (SQLite under --data-dir, or
 * Redis Streams on a real redis-server) killed with SIGKILL halfway through 2,000 signed
 * deliveries and started again; `listen --relay` killed mid-drain and started again; the relay at
 * --hold-max. Whatever was answered 202 reaches the history exactly once, in arrival order, its
 * signature still valid over its bytes.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { HistoryStore } from '../../src/store/history-store.js';
import type { HoldStore } from '../../src/store/hold-store.js';
import { RedisHoldStore } from '../../src/store/redis-hold-store.js';
import { SqliteHoldStore } from '../../src/store/sqlite-hold-store.js';
import { tempDir } from '../helpers/cli.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { type ListenProcess, spawnListen } from '../helpers/relay-listen.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { skipWithout } from '../helpers/required-program.js';
import { freePort } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 'crash-secret';
/** Limits high enough that the senders measure holding, not the limiter. */
const RELAY_ARGS = ['--rate-limit', '100000', '--max-pending', '1000'];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const skipRedis = skipWithout('redis-server', ['--version']);
let redis: RedisServer | undefined;
beforeAll(async () => {
  if (!skipRedis) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

async function relay(port: number, args: string[], configDir: string): Promise<RelayProcess> {
  const started = await startRelayProcess(port, [...RELAY_ARGS, ...args], configDir);
  cleanups.push(() => started.stop('SIGKILL'));
  return started;
}

function listen(wsUrl: string, configDir: string): ListenProcess {
  const listener = spawnListen(wsUrl, [], { secret: SECRET, configDir });
  cleanups.push(() => listener.stop('SIGKILL'));
  return listener;
}

/** Connects a listener once so the relay knows the channel, and stops it; returns the channel's path. */
async function knownChannel(wsUrl: string, configDir: string): Promise<string> {
  const listener = listen(wsUrl, configDir);
  const publicUrl = await listener.waitFor(/relay: connected — public URL (\S+)/);
  await listener.stop();
  return new URL(publicUrl).pathname;
}

const ids = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, n) => `dlv_${prefix}_${String(n).padStart(4, '0')}`);

function deliver(url: string, id: string) {
  const body = JSON.stringify({
    event: 'customer.cart.added',
    timestamp: '2026-01-01T00:00:00Z',
    data: { customer_id: 'cust_1', product_id: id, price: 89.9, name: 'Robe d’été' },
  });
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': 'customer.cart.added',
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, SECRET),
    },
    signal: AbortSignal.timeout(10_000),
  });
}

/**
 * Sends every id, 16 at a time, as a platform would: a delivery that gets no answer (the relay
 * died under it) is sent again until it is answered. Returns the ids answered 202. `midway`
 * runs once half of them are answered (while the others are in flight).
 */
async function sendAll(url: () => string, all: string[], midway?: () => Promise<void>): Promise<Set<string>> {
  const accepted = new Set<string>();
  let next = 0;
  let crash: Promise<void> | undefined;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < all.length) {
        const id = all[next++]!;
        for (;;) {
          const answered = await deliver(url(), id).then(
            async (res) => {
              await res.arrayBuffer();
              return res.status;
            },
            () => undefined,
          );
          if (answered === 202) break;
          if (answered !== undefined) throw new Error(`${id} answered ${answered}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        accepted.add(id);
        if (midway && accepted.size === all.length / 2) crash = midway();
      }
    }),
  );
  await crash;
  return accepted;
}

/** Held deliveries of `channel` in the store's (arrival) order, a re-sent copy only where it first arrived. */
async function arrivalOrder(store: HoldStore, channel: string): Promise<string[]> {
  const held = await store.read(channel, undefined, 100_000);
  await store.close();
  return [...new Set(held.map((d) => String(d.headers['x-webhook-delivery'])))];
}

/** The history's received deliveries, oldest first, each checked against its signature over the stored bytes. */
function history(dbPath: string): { ids: string[]; validSignatures: number } {
  const store = HistoryStore.open(dbPath);
  try {
    const rows = store.list({ direction: 'in', limit: 100_000 }).reverse();
    let validSignatures = 0;
    for (const row of rows) {
      const record = store.get(row.id)!;
      if (record.signatureValid && record.requestHeaders['x-webhook-signature'] === sign(record.requestBody, SECRET))
        validSignatures += 1;
    }
    return { ids: rows.map((r) => r.deliveryId!), validSignatures };
  } finally {
    store.close();
  }
}

async function drain(wsUrl: string, configDir: string, count: number): Promise<void> {
  const listener = listen(wsUrl, configDir);
  await listener.waitFor(/relay: caught up ([\d,]+) deliveries held/, 1, 60_000);
  await until(() => historyCount(join(configDir, 'history.db')) >= count, 10_000, 'recorded');
  const stopped = await listener.stop();
  expect(stopped.exitCode).toBe(0);
}

function historyCount(dbPath: string): number {
  const store = HistoryStore.open(dbPath);
  try {
    return store.count({ direction: 'in' });
  } finally {
    store.close();
  }
}

describe('held deliveries survive crashes', () => {
  it('a relay killed with SIGKILL halfway through 2,000 deliveries loses none it answered 202', async () => {
    const [port, dataDir, configDir] = [await freePort(), tempDir(), tempDir()];
    const args = ['--data-dir', dataDir];
    let current = await relay(port, args, tempDir());
    const path = await knownChannel(current.wsUrl, configDir);
    const all = ids(2000, 'sqlite');
    const accepted = await sendAll(
      () => current.url + path,
      all,
      async () => {
        await current.stop('SIGKILL');
        current = await relay(port, args, tempDir());
      },
    );
    expect(accepted.size).toBe(2000);
    const order = await arrivalOrder(SqliteHoldStore.open(dataDir), path.slice(1));
    expect(new Set(order)).toEqual(new Set(all));
    await drain(current.wsUrl, configDir, 2000);
    const { ids: recorded, validSignatures } = history(join(configDir, 'history.db'));
    expect(recorded).toEqual(order);
    expect(validSignatures).toBe(2000);
    expect(await arrivalOrder(SqliteHoldStore.open(dataDir), path.slice(1))).toEqual([]);
  });

  it.skipIf(skipRedis)(
    'across two instances on Redis: held on B (killed halfway and restarted), drained through A',
    async () => {
      const redisArgs = ['--redis', redis!.url];
      const [portB, configDir] = [await freePort(), tempDir()];
      const a = await relay(0, redisArgs, tempDir());
      let b = await relay(portB, redisArgs, tempDir());
      const path = await knownChannel(a.wsUrl, configDir);
      const all = ids(2000, 'redis');
      const accepted = await sendAll(
        () => b.url + path,
        all,
        async () => {
          await b.stop('SIGKILL');
          b = await relay(portB, redisArgs, tempDir());
        },
      );
      expect(accepted.size).toBe(2000);
      const order = await arrivalOrder(await RedisHoldStore.open(redis!.url), path.slice(1));
      expect(new Set(order)).toEqual(new Set(all));

      await drain(a.wsUrl, configDir, 2000);
      const { ids: recorded, validSignatures } = history(join(configDir, 'history.db'));
      expect(recorded).toEqual(order);
      expect(validSignatures).toBe(2000);
      expect(a.stderr()).toMatch(/held deliveries handed to its listener/);
    },
  );

  it('a listener killed mid-drain gets the rest on its next connection: nothing lost, nothing twice', async () => {
    const [dataDir, configDir] = [tempDir(), tempDir()];
    const current = await relay(0, ['--data-dir', dataDir], tempDir());
    const path = await knownChannel(current.wsUrl, configDir);
    const all = ids(600, 'drain');
    await sendAll(() => current.url + path, all);
    const order = await arrivalOrder(SqliteHoldStore.open(dataDir), path.slice(1));

    const dbPath = join(configDir, 'history.db');
    const first = listen(current.wsUrl, configDir);
    await first.waitFor(/relay: catching up 600 held deliveries/);
    await until(() => historyCount(dbPath) >= 100, 20_000, 'part of the backlog recorded');
    await first.stop('SIGKILL');
    const before = historyCount(dbPath);
    expect(before).toBeLessThan(600);

    await drain(current.wsUrl, configDir, 600);
    const { ids: recorded } = history(dbPath);
    expect(recorded).toEqual(order);
    expect(new Set(recorded).size).toBe(600);
  });

  it('at --hold-max answers 503 hold full, and every delivery it answered 202 reaches the history', async () => {
    const [dataDir, configDir] = [tempDir(), tempDir()];
    const current = await relay(0, ['--data-dir', dataDir, '--hold-max', '50'], tempDir());
    const path = await knownChannel(current.wsUrl, configDir);
    const answers = await Promise.all(
      ids(80, 'full').map(async (id) => {
        const res = await deliver(current.url + path, id);
        return { id, status: res.status, error: res.headers.get('x-relay-error') };
      }),
    );
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.id);
    expect(accepted).toHaveLength(50);
    const refused = answers.filter((a) => a.status !== 202);
    expect(refused).toHaveLength(30);
    expect(refused.every((a) => a.status === 503 && a.error === 'hold full')).toBe(true);

    await drain(current.wsUrl, configDir, 50);
    expect(history(join(configDir, 'history.db')).ids.sort()).toEqual(accepted.sort());
  });
});
