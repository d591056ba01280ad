/**
 * `listen --forward-to` and the doctor: an app (a real process) that rejects deliveries listen
 * verified is diagnosed once per route, in the background; the verdict reaches the rejected
 * deliveries of that route in the history and in later records at once, and an app that accepts
 * is never diagnosed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { type Listener, startListener } from '../../src/receiver/index.js';
import type { RouteVerdict } from '../../src/receiver/route-doctor.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { startExampleReceiver } from '../fixture-apps/webhook-receiver.js';
import { tempDir } from '../helpers/cli.js';
import { type ReceiverProcess, startReceiverProcess } from '../helpers/receiver-process.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';
let reserialising: ReceiverProcess;
let correct: Awaited<ReturnType<typeof startExampleReceiver>>;
beforeAll(async () => {
  [reserialising, correct] = await Promise.all([
    startReceiverProcess('reserialising-app.mjs', [SECRET]),
    startExampleReceiver(SECRET),
  ]);
});
afterAll(() => Promise.all([reserialising.stop(), correct.close()]));

/** A delivery pretty-printed, as the platform document prints them: JSON.stringify does not give these bytes back. */
function deliver(listener: Listener, event: string, id: string, secret = SECRET) {
  const body = JSON.stringify({ event, timestamp: '2026-01-01T00:00:00Z', data: { product_id: 'prod_1' } }, null, 2);
  return fetch(listener.url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': event,
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, secret),
    },
  });
}

describe('a route whose app rejects deliveries listen verified', () => {
  const dbPath = join(tempDir(), 'history.db');
  const records: DeliveryRecord[] = [];
  const verdicts: RouteVerdict[] = [];
  let rows: ReturnType<HistoryStore['list']>;

  beforeAll(async () => {
    const listener = await startListener({
      dbPath,
      port: 0,
      secrets: ['an-older-secret', SECRET],
      routes: [
        { pattern: 'catalog.*', url: new URL(reserialising.url) },
        { pattern: '*', url: new URL(correct.url) },
      ],
    });
    listener.onRecord((r) => records.push(r));
    listener.onDiagnosis((v) => verdicts.push(v));
    expect((await deliver(listener, 'catalog.product.created', 'dlv_first')).status).toBe(401);
    expect((await deliver(listener, 'customer.cart.added', 'dlv_accepted')).status).toBe(200);
    expect((await deliver(listener, 'catalog.product.updated', 'dlv_bad_signature', 'other')).status).toBe(401);
    await until(() => verdicts.length > 0, 20_000, 'a verdict');
    expect((await deliver(listener, 'catalog.product.deleted', 'dlv_second')).status).toBe(401);
    await listener.close();
    const store = HistoryStore.open(dbPath);
    rows = store.list({ limit: 1000 }).reverse();
    store.close();
  }, 40_000);

  it('names the cause, once, for that route, with the secret that verified the delivery', () => {
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]!.route.pattern).toBe('catalog.*');
    expect(verdicts[0]!.report).toMatchObject({ verdict: 'broken', cause: 'reserialised-compact' });
    expect(verdicts[0]!.line).toMatch(/^reserialised-compact: your receiver computes the HMAC over JSON\.stringify/);
  });

  it('gives a later rejection on the route the verdict at once, in its record', () => {
    expect(records.find((r) => r.deliveryId === 'dlv_second')!.diagnosis).toBe(verdicts[0]!.line);
  });

  it('keeps the verdict in the history on both rejected deliveries, and none elsewhere', () => {
    const received = Object.fromEntries(
      rows.filter((r) => r.direction === 'in').map((r) => [r.deliveryId, r.diagnosis ?? null]),
    );
    expect(received).toEqual({
      dlv_first: verdicts[0]!.line,
      dlv_accepted: null,
      dlv_bad_signature: null,
      dlv_second: verdicts[0]!.line,
    });
  });

  it("records the doctor's requests as its own, sent to the route's app", () => {
    const doctor = rows.filter((r) => r.source === 'doctor');
    expect(doctor.length).toBe(verdicts[0]!.report.tried.length);
    expect(doctor.every((r) => r.direction === 'out' && r.url === reserialising.url)).toBe(true);
  });
});

it('with diagnose: false the doctor never runs', async () => {
  const listener = await startListener({
    dbPath: join(tempDir(), 'history.db'),
    port: 0,
    secrets: [SECRET],
    routes: [{ pattern: '*', url: new URL(reserialising.url) }],
    diagnose: false,
  });
  const verdicts: RouteVerdict[] = [];
  listener.onDiagnosis((v) => verdicts.push(v));
  expect((await deliver(listener, 'catalog.product.created', 'dlv_x')).status).toBe(401);
  await listener.close();
  expect(verdicts).toEqual([]);
});
