/**
 * `listen --forward-to` in front of a Flask app that verifies json.dumps(request.json): listen
 * verifies the delivery, the app rejects it, and the doctor — run once in the background — says
 * why, in a line of its own, in the next rejected request's line, and in the history.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { type FixtureApp, skipWithoutPythonModule, startFixtureFile } from '../helpers/fixture-app.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { runCli } from '../helpers/run-cli.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';
const skip = skipWithoutPythonModule('flask', 'python3-flask');
let app: FixtureApp;
let listen: RunningListener;
beforeAll(async () => {
  if (skip) return;
  app = await startFixtureFile('flask_receiver.py', [SECRET]);
  listen = await startListen(['--secret', SECRET, '--forward-to', app.url('/webhook-json-dumps'), '--no-tui']);
});
afterAll(async () => {
  await listen?.stop();
  await app?.stop();
});

function deliver(id: string) {
  const body = '{"event":"catalog.product.created","timestamp":"2026-01-01T00:00:00Z","data":{"name":"Robe d\'été"}}';
  return fetch(listen.url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': 'catalog.product.created',
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, SECRET),
    },
  });
}

it.skipIf(skip)('names the cause in a line, in the next request line and in the history', async () => {
  let out = '';
  listen.process.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  expect((await deliver('dlv_flask_1')).status).toBe(401);
  await until(() => /^doctor {2}/m.test(out), 20_000, 'the verdict line');
  const verdictLine = out.split('\n').find((l) => l.startsWith('doctor  '))!;
  expect(verdictLine).toMatch(
    /^doctor {2}→ \* \(http:\/\/127\.0\.0\.1:\d+\/webhook-json-dumps\): reserialised-python: your receiver computes the HMAC over Python's json\.dumps\(json\.loads\(body\)\).* — fix: .*Flask request\.get_data\(\)/,
  );

  expect((await deliver('dlv_flask_2')).status).toBe(401);
  await until(() => out.includes('dlv_flask_2'), 10_000, 'the second request line');
  expect(out.split('\n').find((l) => l.includes('dlv_flask_2'))).toMatch(/ 401 .*→ \*.*doctor: reserialised-python$/);

  await listen.stop();
  const db = ['--db', listen.dbPath];
  const shown = await runCli([...db, 'history', 'show', 'dlv_flask_1'], { configDir: listen.configDir });
  expect(shown.stdout).toMatch(/^doctor {5}reserialised-python: your receiver computes the HMAC over Python's/m);
  const rows = JSON.parse(
    (await runCli([...db, 'history', '--json'], { configDir: listen.configDir })).stdout,
  ) as Array<{
    delivery_id: string;
    source: string;
    diagnosis: string | null;
  }>;
  expect(rows.find((r) => r.delivery_id === 'dlv_flask_2')!.diagnosis).toMatch(/^reserialised-python: /);
  expect(rows.filter((r) => r.source === 'doctor').length).toBeGreaterThan(1);
});
