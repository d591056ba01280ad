/**
 * `listen --forward-to PATTERN=URL` and `--routes FILE`: three apps behind one route table, the
 * first matching route takes a delivery, and one no route matches is answered by listen itself.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 'route-secret';
const running: RunningListener[] = [];
const apps: RecordingServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.stop()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function app(name: string, status = 200) {
  const server = await startRecordingServer(() => ({
    status,
    body: `{"app":"${name}"}`,
    headers: { 'content-type': 'application/json' },
  }));
  apps.push(server);
  return server;
}

/** A pretty-printed body, as a platform could send it: the bytes must reach the app unchanged. */
function deliver(url: string, event: string, id: string) {
  const body = `{\n  "event": "${event}",\n  "timestamp": "2026-01-01T00:00:00Z",\n  "data": { "note": "caf\u00e9 \\u00e9" }\n}`;
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': event,
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, SECRET),
    },
  });
}

describe('listen routes', () => {
  it('sends each delivery to the first route matching its event, answers unmatched ones itself and records which route took each', async () => {
    const [catalog, purchases, everything] = [await app('catalog'), await app('purchases', 202), await app('rest')];
    const listener = await startListen([
      '--secret',
      SECRET,
      '--json',
      '--respond-status',
      '204',
      '--forward-to',
      `catalog.*=${catalog.url}/hooks`,
      // A later catch-all for catalog events never sees them: first match wins.
      '--forward-to',
      `customer.purchase.completed=${purchases.url}/buy`,
      '--forward-to',
      `customer.*=${everything.url}/rest`,
    ]);
    running.push(listener);
    const answers = [];
    answers.push(await deliver(listener.url, 'catalog.product.created', 'dlv_r1'));
    answers.push(await deliver(listener.url, 'customer.purchase.completed', 'dlv_r2'));
    answers.push(await deliver(listener.url, 'customer.cart.added', 'dlv_r3'));
    answers.push(await deliver(listener.url, 'search.query.performed', 'dlv_r4'));
    expect(answers.map((a) => a.status)).toEqual([200, 202, 200, 204]);
    expect(await answers[0]!.text()).toBe('{"app":"catalog"}');

    expect(catalog.requests.map((r) => r.headers['x-webhook-delivery'])).toEqual(['dlv_r1']);
    expect(catalog.requests[0]!.url).toBe('/hooks');
    expect(purchases.requests.map((r) => r.headers['x-webhook-delivery'])).toEqual(['dlv_r2']);
    expect(everything.requests.map((r) => r.headers['x-webhook-delivery'])).toEqual(['dlv_r3']);
    // Forwarded byte for byte, so the app can verify the signature itself.
    const sent = catalog.requests[0]!;
    expect(sign(sent.body, SECRET)).toBe(sent.headers['x-webhook-signature']);
    expect(sent.body.toString()).toContain('\n  "event"');

    const result = await listener.stop();
    const lines = result.stdout
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'request');
    expect(lines.map((l) => [l.delivery_id, l.route, l.forwarded])).toEqual([
      ['dlv_r1', 'catalog.*', true],
      ['dlv_r2', 'customer.purchase.completed', true],
      ['dlv_r3', 'customer.*', true],
      ['dlv_r4', null, false],
    ]);
    const store = HistoryStore.open(listener.dbPath);
    try {
      expect(store.get('dlv_r4')).toMatchObject({ route: null, forwarded: false, status: 204 });
      expect(store.get('dlv_r2')).toMatchObject({ route: 'customer.purchase.completed', forwarded: true });
    } finally {
      store.close();
    }
  });

  it('reads routes from --routes FILE with a timeout per route, after the --forward-to ones, and shows them on each line', async () => {
    const slow = await startRecordingServer(() => ({ status: 200, delayMs: 2_000 }));
    apps.push(slow);
    const fast = await app('fast');
    const routes = join(tempDir(), 'routes.json');
    writeFileSync(
      routes,
      JSON.stringify({
        routes: [
          { match: 'catalog.product.*', url: slow.url, timeout_ms: 200 },
          { match: '*', url: fast.url },
        ],
      }),
    );
    const listener = await startListen(['--secret', SECRET, '--no-tui', '--routes', routes]);
    running.push(listener);
    expect((await deliver(listener.url, 'catalog.product.updated', 'dlv_f1')).status).toBe(504);
    expect((await deliver(listener.url, 'analytics.trend.detected', 'dlv_f2')).status).toBe(200);
    await until(() => fast.requests.length === 1, 5_000, 'the catch-all route used');
    const result = await listener.stop();
    expect(result.stderr).toMatch(/forwarding catalog\.product\.\* → http:\/\/127\.0\.0\.1:\d+\/, \* → http/);
    const [first, second] = result.stdout.split('\n');
    expect(first).toMatch(/504 .*dlv_f1.*→ catalog\.product\.\*.*did not answer within 200 ms/);
    expect(second).toMatch(/200 .*dlv_f2.*→ \*/);
  });

  it('refuses a bad route with one line and exit 2', async () => {
    const bad = join(tempDir(), 'routes.json');
    writeFileSync(bad, '{"routes": [{"match": "catalog.*"}]}');
    const missingUrl = await spawnCli(['listen', '--port', '0', '--secret', SECRET, '--routes', bad]);
    expect(missingUrl.exitCode).toBe(2);
    expect(missingUrl.stderr).toMatch(/^error: --routes .*route 1 has no "url" string — e\.g\./);
    expect(missingUrl.stderr.split('\n')).toHaveLength(1);
    const badPattern = await spawnCli([
      'listen',
      '--port',
      '0',
      '--secret',
      SECRET,
      '--forward-to',
      'catalog/x=http://127.0.0.1:1/',
    ]);
    expect(badPattern.exitCode).toBe(2);
    expect(badPattern.stderr).toMatch(/is not an event pattern/);
  });
});
