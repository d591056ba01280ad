/**
 * `serve --duplicates --jitter --seed`: faults injected into real subscriptions, observed at a
 * recording endpoint and in the deliveries listing. The delays the emulator will draw are
 * predicted with the same core pieces (FaultStream), so the test knows which order to expect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultStream } from '../../src/core/fault-plan.js';
import { verify } from '../../src/core/signature.js';
import { tempDir } from '../helpers/cli.js';
import { startInventoryReceiver } from '../helpers/inventory-receiver.js';
import { skipWithout } from '../helpers/required-program.js';
import { runCli } from '../helpers/run-cli.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

/** One attempt as the emulator's deliveries listing gives it. */
interface Attempt {
  delivery_id: string;
  status: string;
  duplicate: boolean;
  attempt: number;
  response_status: number | null;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function setup(args: string[]) {
  const s = await startServe(args);
  cleanups.push(() => s.stop('SIGKILL'));
  const arrivals: Array<{ id: string; at: number }> = [];
  const hook: RecordingServer = await startRecordingServer((req) => {
    arrivals.push({ id: String(req.headers['x-webhook-delivery']), at: Date.now() });
    return { status: 200, body: 'OK' };
  });
  cleanups.push(() => hook.close());
  const res = await s.call('POST', '/api/v1/webhooks', {
    url: `${hook.url}/webhook`,
    events: ['catalog.product.created', 'customer.cart.added'],
    secret: 's3cret',
    active: true,
  });
  expect(res.status).toBe(201);
  return { s, hook, arrivals, webhookId: res.json.id as string };
}

async function emit(s: ServeProcess, event: string): Promise<{ id: string; at: number }> {
  const at = Date.now();
  const res = await s.call('POST', '/api/v1/events', { event });
  expect(res.status).toBe(202);
  return { id: res.json.deliveries[0].id as string, at };
}

describe('serve with faults', () => {
  it('--duplicates sends a delivery again after its first attempt, with the same id, bytes and signature; deliveries shows it', async () => {
    const { s, hook, webhookId } = await setup(['--duplicates', '1', '--seed', '3']);
    expect(s.stderr()).toContain('faults: duplicates 1, seed 3 — pass --seed 3 to repeat them');
    const emitted = [await emit(s, 'catalog.product.created'), await emit(s, 'customer.cart.added')];
    await until(() => hook.requests.length >= 4, 10_000, 'four requests');
    for (const { id } of emitted) {
      const copies = hook.requests.filter((r) => r.headers['x-webhook-delivery'] === id);
      expect(copies).toHaveLength(2);
      expect(copies[1]!.body.equals(copies[0]!.body)).toBe(true);
      expect(copies[1]!.headers['x-webhook-signature']).toBe(copies[0]!.headers['x-webhook-signature']);
      expect(verify(copies[1]!.body, copies[1]!.headers['x-webhook-signature'], ['s3cret']).valid).toBe(true);
    }
    // Both attempts are in the listing under the one delivery id; the copy is marked.
    const listed = await until(
      async () => {
        const rows = (await s.call('GET', `/api/v1/webhooks/${webhookId}/deliveries`)).json.data as Attempt[];
        return rows.filter((r) => r.status === 'succeeded').length === 4 ? rows : undefined;
      },
      10_000,
      'four attempts listed',
    );
    for (const { id } of emitted) {
      const rows = listed.filter((r) => r.delivery_id === id);
      expect(rows.map((r) => r.duplicate).sort()).toEqual([false, true]);
      expect(rows.every((r) => r.attempt === 1 && r.response_status === 200)).toBe(true);
    }
    const table = await runCli(['--api-url', s.url, '--token', 'test-token', 'deliveries', webhookId], {
      configDir: tempDir(),
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`${emitted[0]!.id}\\s+catalog\\.product\\.created\\s+1\\s+succeeded \\(duplicate\\)\\s+200`),
    );
    expect(table.stdout).toMatch(
      new RegExp(`${emitted[0]!.id}\\s+catalog\\.product\\.created\\s+1\\s+succeeded\\s+200`),
    );
    // serve's own line for the copy says so too.
    await until(() => s.stdout.filter((l) => l.includes(emitted[1]!.id)).length === 2);
    expect(s.stdout.filter((l) => l.includes(emitted[1]!.id) && l.includes('duplicate'))).toHaveLength(1);
  });

  it.skipIf(skipWithout('python3', ['--version']))(
    'a Python receiver that dedupes by delivery id sees each injected copy under its original id and counts stock once',
    async () => {
      const s = await startServe(['--duplicates', '1']);
      cleanups.push(() => s.stop('SIGKILL'));
      const receiver = await startInventoryReceiver('s3cret', { dedupe: true });
      cleanups.push(receiver.stop);
      const res = await s.call('POST', '/api/v1/webhooks', {
        url: `${receiver.url}/webhook`,
        events: ['catalog.product.created'],
        secret: 's3cret',
        active: true,
      });
      expect(res.status).toBe(201);
      const ids = [(await emit(s, 'catalog.product.created')).id, (await emit(s, 'catalog.product.created')).id];
      const state = await until(
        async () => {
          const now = await receiver.state();
          return now.ids.length >= 4 ? now : undefined;
        },
        10_000,
        'four requests at the receiver',
      );
      expect([...state.ids].sort()).toEqual([...ids, ...ids].sort());
      expect(state).toMatchObject({ processed: 2, duplicates_seen: 2 });
      expect(s.stderr()).toMatch(/faults: duplicates 1, seed \d+ — pass --seed \d+ to repeat them/);
    },
  );

  it('--jitter delays each first attempt by the drawn delay, which reorders deliveries', async () => {
    // Seed 2 draws a first delay much longer than the last (checked here, from the same core pieces).
    const seed = 2;
    const stream = new FaultStream({ jitter: { minMs: 0, maxMs: 3000 } }, seed);
    const delays = Array.from({ length: 4 }, () => stream.next().delayMs);
    expect(delays[0]! - delays[3]!, `seed ${seed} draws ${delays.join(', ')}`).toBeGreaterThan(2000);

    const { s, arrivals } = await setup(['--jitter', '0-3s', '--seed', String(seed), '--json']);
    const emitted: Array<{ id: string; at: number }> = [];
    for (let i = 0; i < 4; i++) emitted.push(await emit(s, 'customer.cart.added'));
    await until(() => arrivals.length >= 4, 15_000, 'four deliveries');
    emitted.forEach(({ id, at }, i) => {
      const arrived = arrivals.find((a) => a.id === id)!;
      // Timers count from the event loop's cached time, which can lag a little: allow 20 ms.
      expect(arrived.at - at, `delivery ${i}`).toBeGreaterThanOrEqual(delays[i]! - 20);
    });
    const order = arrivals.map((a) => emitted.findIndex((e) => e.id === a.id));
    expect(order.indexOf(0)).toBeGreaterThan(order.indexOf(3));
    expect(JSON.parse(s.stdout[0]!)).toEqual({ faults: { duplicates: 0, jitter_ms: { min: 0, max: 3000 }, seed } });
  });
});
