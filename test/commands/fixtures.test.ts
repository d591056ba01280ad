/**
 * Fixtures from traffic: what a listener received, exported byte for byte with a manifest, sent
 * again by `trigger --data DIR` (re-signed, new ids, bytes unchanged) and by `smoke --fixtures`.
 */

import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { startListen } from '../helpers/listen.js';
import { deliveryRecord } from '../helpers/records.js';
import { runCli } from '../helpers/run-cli.js';
import { type ReceivedRequest, type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 'fixture-secret';
const apps: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

// Pretty-printed, CRLF line ends, a tab, trailing spaces, an escaped and a raw non-ASCII character:
// a parse and re-serialise would change every one of them.
const BODIES = {
  dlv_cap_a: [
    'catalog.product.created',
    Buffer.from(
      '{\r\n\t"event": "catalog.product.created",\r\n  "timestamp": "2026-01-01T00:00:00Z",   \r\n  "data": {"name": "Caf\u00e9 \\u00e9 \u2603", "price": 1.50}\r\n}\r\n',
    ),
  ],
  dlv_cap_b: [
    'customer.cart.added',
    Buffer.from('{ "event" : "customer.cart.added", "timestamp": "2026-01-01T00:00:01Z", "data": { "qty": 1e0 } }'),
  ],
} as const;

/** Captures three deliveries in a listener (one with a bad signature, answered 401) and exports them. */
async function capturedFixtures(): Promise<string> {
  const listener = await startListen(['--secret', SECRET]);
  for (const [id, [event, body]] of Object.entries(BODIES)) {
    await fetch(listener.url, {
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
  const forged = BODIES.dlv_cap_b[1];
  await fetch(listener.url, {
    method: 'POST',
    body: forged,
    headers: {
      'x-webhook-event': 'customer.cart.added',
      'x-webhook-delivery': 'dlv_cap_c',
      'x-webhook-signature': sign(forged, 'wrong'),
    },
  });
  await listener.stop();
  const dir = join(tempDir(), 'captured');
  const exported = await runCli(['history', '--direction', 'in', 'export', '--fixtures', dir], {
    configDir: listener.configDir,
  });
  expect(exported.stderr).toBe('');
  expect(exported.stdout).toBe(`wrote 3 fixtures and manifest.json to ${dir}`);
  return dir;
}

describe('fixtures from traffic', () => {
  it('history export --fixtures writes each body byte for byte and a manifest without signatures', async () => {
    const dir = await capturedFixtures();
    expect(readdirSync(dir).sort()).toEqual([
      'catalog.product.created-dlv_cap_a.json',
      'customer.cart.added-dlv_cap_b.json',
      'customer.cart.added-dlv_cap_c.json',
      'manifest.json',
    ]);
    expect(readFileSync(join(dir, 'catalog.product.created-dlv_cap_a.json')).equals(BODIES.dlv_cap_a[1])).toBe(true);
    expect(readFileSync(join(dir, 'customer.cart.added-dlv_cap_b.json')).equals(BODIES.dlv_cap_b[1])).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      fixtures: Array<{
        file: string;
        delivery_id: string;
        event: string;
        status: number;
        headers: Record<string, string>;
      }>;
    };
    const byId = Object.fromEntries(manifest.fixtures.map((f) => [f.delivery_id, f]));
    expect(byId.dlv_cap_a).toMatchObject({
      event: 'catalog.product.created',
      status: 200,
      file: 'catalog.product.created-dlv_cap_a.json',
    });
    expect(byId.dlv_cap_c).toMatchObject({ status: 401, signature_valid: false });
    expect(byId.dlv_cap_a!.headers['x-webhook-delivery']).toBe('dlv_cap_a');
    expect(JSON.stringify(manifest)).not.toMatch(/x-webhook-signature|sha256=/);
  });

  it('trigger --data DIR sends every fixture in name order, bytes unchanged, re-signed with new delivery ids', async () => {
    const dir = await capturedFixtures();
    const app = await startRecordingServer();
    apps.push(app);
    const sent = await runCli(['trigger', '--data', dir, '--to', `${app.url}/hooks`, '--secret', SECRET, '--json']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const files = readdirSync(dir)
      .filter((f) => f !== 'manifest.json')
      .sort();
    expect(app.requests).toHaveLength(files.length);
    app.requests.forEach((request, i) => {
      expect(request.body.equals(readFileSync(join(dir, files[i]!)))).toBe(true);
      expect(request.headers['x-webhook-signature']).toBe(sign(request.body, SECRET));
      expect(request.headers['x-webhook-delivery']).toMatch(/^dlv_[0-9a-f]{24}$/);
    });
    expect(app.requests.map((r) => r.headers['x-webhook-event'])).toEqual([
      'catalog.product.created',
      'customer.cart.added',
      'customer.cart.added',
    ]);
    const mixed = await runCli([
      'trigger',
      'catalog.product.created',
      '--data',
      dir,
      '--to',
      app.url,
      '--secret',
      SECRET,
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^error: --data .* is a folder of fixtures/);
  });

  it('smoke --fixtures fails, naming the fixture, against an app that now answers 500 where the manifest says 2xx', async () => {
    const dir = await capturedFixtures();
    // The receiver as written after a regression: verifies properly, but crashes on catalog products.
    const regressed = await startRecordingServer((r: ReceivedRequest) => {
      if (r.headers['x-webhook-signature'] !== sign(r.body, SECRET)) return { status: 401 };
      try {
        const parsed = JSON.parse(r.body.toString()) as { event: string };
        return parsed.event === 'catalog.product.created'
          ? { status: 500, body: 'TypeError: cannot read price' }
          : { status: 200 };
      } catch {
        return { status: 400 };
      }
    });
    apps.push(regressed);
    const run = await runCli([
      'smoke',
      '--url',
      regressed.url,
      '--secret',
      SECRET,
      '--events',
      'customer.cart.added',
      '--fixtures',
      dir,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}fixture\.catalog\.product\.created-dlv_cap_a\.json {2}500 /m);
    expect(run.stdout).toMatch(/^PASS {2}fixture\.customer\.cart\.added-dlv_cap_b\.json {2}200/m);
    // The forged one was answered 401 when captured: it is sent with a wrong signature again, and a 401 passes.
    expect(run.stdout).toMatch(/^PASS {2}fixture\.customer\.cart\.added-dlv_cap_c\.json {2}401/m);
    expect(run.stdout.match(/^FAIL {2}fixture\./gm)).toHaveLength(1);
  });
});

describe('history export --fixtures on hostile ids and folders', () => {
  /** A history holding `records` (received, answered 200), and the CLI's config folder it is in. */
  function history(records: Array<{ id: string; headers?: Record<string, string> }>): string {
    const configDir = tempDir();
    const store = HistoryStore.open(join(configDir, 'history.db'));
    for (const { id, headers = {} } of records)
      store.insert(
        deliveryRecord({
          event: 'customer.cart.added',
          deliveryId: id,
          requestHeaders: { 'x-webhook-delivery': id, 'x-webhook-signature': 'sha256=00', ...headers },
          requestBody: Buffer.from(`{"event":"customer.cart.added","data":{"id":${JSON.stringify(id.slice(0, 20))}}}`),
        }),
      );
    store.close();
    return configDir;
  }

  it('writes a file per record (colliding ids and a 60,000-character one included), the count it says, and no credentials in the manifest', async () => {
    const long = `dlv_${'x'.repeat(60_000)}`;
    const configDir = history([
      { id: 'dlv/x', headers: { authorization: 'Bearer sk_live_1', cookie: 'session=abc' } },
      { id: 'dlv_x', headers: { 'proxy-authorization': 'Basic dXNlcjpwYXNz' } },
      { id: 'dlv_same' },
      { id: 'dlv_same' },
      { id: 'DLV_CASE' },
      { id: 'dlv_case' },
      { id: long },
    ]);
    const dir = join(tempDir(), 'out');
    const previous = process.umask(0o000);
    let exported: Awaited<ReturnType<typeof runCli>>;
    try {
      exported = await runCli(['history', 'export', '--fixtures', dir], { configDir });
    } finally {
      process.umask(previous);
    }
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toBe(`wrote 7 fixtures and manifest.json to ${dir}`);
    const files = readdirSync(dir).filter((f) => f !== 'manifest.json');
    expect(files).toHaveLength(7);
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(7);
    expect(Math.max(...files.map((f) => f.length))).toBeLessThan(200);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      fixtures: Array<{ file: string; delivery_id: string; headers: Record<string, string> }>;
    };
    expect(manifest.fixtures.map((f) => f.file).sort()).toEqual([...files].sort());
    expect(manifest.fixtures.map((f) => f.delivery_id)).toContain(long);
    expect(JSON.stringify(manifest)).not.toMatch(/authorization|cookie|sk_live_1|session=abc|dXNlcjpwYXNz|sha256=/i);
    // Owner-only, though the umask allowed anything.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
  });

  it('neither follows a link nor overwrites a file: a folder that is not empty is refused, and what it points at is untouched', async () => {
    const configDir = history([{ id: 'dlv_target' }]);
    const dir = join(tempDir(), 'out');
    mkdirSync(dir);
    const victim = join(tempDir(), 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'customer.cart.added-dlv_target.json'));
    const exported = await runCli(['history', 'export', '--fixtures', dir], { configDir });
    expect(exported.code).toBe(2);
    expect(exported.stderr).toMatch(/^error: --fixtures .* is not empty — pass a new or empty folder/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('trigger --data DIR refuses a fixture that is a symbolic link instead of sending what it points at', async () => {
    const app = await startRecordingServer();
    apps.push(app);
    const dir = tempDir();
    const secretFile = join(tempDir(), 'id_rsa.json');
    writeFileSync(secretFile, '{"event":"customer.cart.added","private_key":"-----BEGIN"}');
    writeFileSync(join(dir, 'a.json'), '{"event":"customer.cart.added","data":{}}');
    symlinkSync(secretFile, join(dir, 'b.json'));
    const sent = await runCli(['trigger', '--data', dir, '--to', app.url, '--secret', SECRET]);
    expect(sent.code).toBe(2);
    expect(sent.stderr).toMatch(/^error: --data .*: b\.json is not a regular file \(a symbolic link\?\)/);
    expect(app.requests.map((r) => r.body.toString())).not.toContain(readFileSync(secretFile, 'utf8'));
    expect(app.requests).toHaveLength(0);
  });
});
