/**
 * The delivery engine in-process, against real loopback endpoints and a real SQLite file:
 * signing, the failure kinds that pick the retry delay, timeouts and redirects.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { type AttemptReport, DeliveryEngine } from '../../src/emulator/delivery-engine.js';
import { EmulatorStore } from '../../src/emulator/emulator-store.js';
import { WebhookService } from '../../src/emulator/webhook-service.js';
import { tempDir } from '../helpers/cli.js';
import { type Responder, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(respond: Responder, { timeScale = 0.001, timeoutMs = 10_000 } = {}) {
  const times: number[] = [];
  const endpoint = await startRecordingServer((req) => (times.push(Date.now()), respond(req)));
  const store = EmulatorStore.open(join(tempDir(), 'emulator.db'));
  const reports: AttemptReport[] = [];
  const engine = new DeliveryEngine(store, {
    timeScale,
    timeoutMs,
    userAgent: 'test/1',
    onAttempt: (r) => reports.push(r),
  });
  const service = new WebhookService(store, engine);
  engine.start();
  cleanups.push(
    () => endpoint.close(),
    async () => {
      await engine.stop();
      store.close();
    },
  );
  const created = service.create({ url: `${endpoint.url}/hook`, events: ['customer.cart.added'], secret: 's3cret' })
    .body as { id: string };
  return { endpoint, times, store, engine, service, reports, webhookId: created.id };
}

describe('delivery engine', () => {
  it('signs the exact bytes with the webhook secret and sends the documented headers', async () => {
    const { endpoint, service, reports } = await setup(() => ({ status: 204 }));
    const { deliveries } = await service.emitEvent('customer.cart.added');
    await until(() => reports.length === 1);
    const [request] = endpoint.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hook');
    expect(request!.headers['x-webhook-event']).toBe('customer.cart.added');
    expect(request!.headers['x-webhook-delivery']).toBe(deliveries[0]!.id);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('test/1');
    expect(verify(request!.body, request!.headers['x-webhook-signature'], ['s3cret']).valid).toBe(true);
    expect(JSON.parse(request!.body.toString('utf8'))).toMatchObject({
      event: 'customer.cart.added',
      data: { customer_id: expect.any(String) },
    });
    expect(reports[0]).toMatchObject({ succeeded: true, responseStatus: 204, state: 'succeeded', attempt: 1 });
  });

  it('backs off (not immediately) after a 4xx, and keeps the delivery id and bytes on the retry', async () => {
    let n = 0;
    const { endpoint, times, service, reports } = await setup(() => ({ status: n++ === 0 ? 400 : 200 }), {
      timeScale: 0.002,
    });
    await service.emitEvent('customer.cart.added');
    await until(() => reports.length === 2);
    const [first, second] = endpoint.requests;
    expect(second!.headers['x-webhook-delivery']).toBe(first!.headers['x-webhook-delivery']);
    expect(second!.body.equals(first!.body)).toBe(true);
    // 1 min × 0.002 = 120 ms after the first attempt.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(115);
    expect(times[1]! - times[0]!).toBeLessThan(600);
    expect(reports[0]).toMatchObject({
      succeeded: false,
      responseStatus: 400,
      state: 'pending',
      error: 'answered 400',
    });
    expect(reports[1]).toMatchObject({ succeeded: true, attempt: 2 });
  });

  it('counts a timeout as a failure with backoff, and names the deadline', async () => {
    const { service, reports } = await setup(() => ({ status: 200, delayMs: 1_000 }), {
      timeoutMs: 100,
      timeScale: 0.001,
    });
    const started = Date.now();
    await service.emitEvent('customer.cart.added');
    await until(() => reports.length === 1);
    expect(reports[0]).toMatchObject({
      succeeded: false,
      responseStatus: null,
      error: expect.stringMatching(/no answer from .* within 0\.1 s/),
    });
    const delay = reports[0]!.nextAttemptAt! - started;
    // The deadline (100 ms) plus 1 min × 0.001.
    expect(delay).toBeGreaterThanOrEqual(160);
    expect(delay).toBeLessThan(600);
  });

  it('does not follow redirects: a 302 is a failed attempt and the Location is never requested', async () => {
    const { endpoint, service, reports } = await setup(
      (req) => (req.url === '/hook' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 }),
      { timeScale: 1 },
    );
    await service.emitEvent('customer.cart.added');
    await until(() => reports.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(endpoint.requests.map((r) => r.url)).toEqual(['/hook']);
    expect(reports[0]).toMatchObject({
      succeeded: false,
      responseStatus: 302,
      error: 'answered 302 (redirects are not followed)',
      state: 'pending',
    });
  });

  it("keeps a retry on time while another webhook's slow attempt is in flight", async () => {
    const { times, service, store } = await setup(() => ({ status: 400 }), { timeScale: 0.001 });
    const slow = await startRecordingServer(() => ({ status: 200, delayMs: 2_000 }));
    cleanups.push(() => slow.close());
    service.create({ url: `${slow.url}/slow`, events: ['search.zero_results'] });
    await service.emitEvent('search.zero_results');
    await service.emitEvent('customer.cart.added');
    await until(() => times.length === 2, 1_500);
    // 1 min × 0.001 = 60 ms, not the 2 s the slow attempt takes.
    expect(times[1]! - times[0]!).toBeLessThan(1_000);
    expect(store.pendingCount()).toBeGreaterThan(0);
  });

  it('records a refused connection as a failed attempt', async () => {
    const { endpoint, service, reports } = await setup(() => ({ status: 200 }), { timeScale: 1 });
    await endpoint.close();
    await service.emitEvent('customer.cart.added');
    await until(() => reports.length === 1);
    expect(reports[0]).toMatchObject({
      succeeded: false,
      responseStatus: null,
      error: expect.stringMatching(/connection refused/),
    });
  });
});
