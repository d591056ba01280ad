/** `listen --validate` / `--strict` against good, schema-breaking and envelope-breaking deliveries. */
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { loadSampleEnvelope } from '../../src/samples/sample-payloads.js';
import { spawnCli } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';

const SECRET = 's3cret';
let running: RunningListener[] = [];

afterEach(async () => {
  await Promise.all(running.map((l) => l.stop()));
  running = [];
});

async function listen(args: string[]) {
  const listener = await startListen(['--secret', SECRET, '--json', ...args]);
  running.push(listener);
  return listener;
}

/** Sends `body` correctly signed, with the given event header and delivery id (null: no header). */
function deliver(url: string, body: unknown, event: string, deliveryId: string | null) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-webhook-event': event,
    'x-webhook-signature': sign(raw, SECRET),
  };
  if (deliveryId) headers['x-webhook-delivery'] = deliveryId;
  return fetch(url, { method: 'POST', body: raw, headers });
}

const good = () => loadSampleEnvelope('customer.cart.added');
const schemaBreaking = () => {
  const e = loadSampleEnvelope('customer.cart.added');
  e.data.quantity = 'one';
  delete e.data.cart_id;
  return e;
};
// The example: a body of one type under another's header, a timestamp of words, data an array, no delivery id.
const envelopeBreaking = { event: 'catalog.product.created', timestamp: 'yesterday', data: [] };

async function history(listener: RunningListener, args: string[]) {
  const result = await spawnCli(['history', ...args], { configDir: listener.configDir });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

describe('listen --validate', () => {
  it('answers as before and records the verdict: history --json, --schema-invalid, history show, the JSON lines', async () => {
    const listener = await listen(['--validate']);
    expect((await deliver(listener.url, good(), 'customer.cart.added', 'dlv_good')).status).toBe(200);
    expect((await deliver(listener.url, schemaBreaking(), 'customer.cart.added', 'dlv_schema')).status).toBe(200);
    expect((await deliver(listener.url, envelopeBreaking, 'customer.cart.added', null)).status).toBe(200);
    const stopped = await listener.stop();
    running = [];

    const lines = stopped.stdout
      .split('\n')
      .filter((l) => l.includes('"type":"request"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.schema_valid)).toEqual([true, false, false]);
    expect(lines[1]!.schema_errors).toEqual(
      expect.arrayContaining([
        { path: 'data.quantity', rule: 'type', message: 'must be integer' },
        { path: 'data.cart_id', rule: 'required', message: 'is required' },
      ]),
    );

    const rows = JSON.parse(await history(listener, ['--json'])) as {
      delivery_id: string | null;
      schema_valid: boolean | null;
      schema_errors: { path: string; message: string }[] | null;
    }[];
    expect(rows.map((r) => [r.delivery_id, r.schema_valid])).toEqual([
      [null, false],
      ['dlv_schema', false],
      ['dlv_good', true],
    ]);
    const envelopeErrors = rows[0]!.schema_errors!.map((e) => `${e.path}: ${e.message}`);
    expect(envelopeErrors).toEqual(
      expect.arrayContaining([
        'header X-Webhook-Delivery: is missing: every delivery carries a unique id receivers dedupe on',
        "header X-Webhook-Event: says customer.cart.added, but the body's event is catalog.product.created",
        'timestamp: must match format "date-time"',
        'data: must be object',
      ]),
    );

    const table = await history(listener, ['--schema-invalid']);
    expect(table).toMatch(/SIG +SCHEMA/);
    expect(table).toMatch(/dlv_schema +200 +✓ +✗ 2 problems/);
    expect(table).not.toContain('dlv_good');
    const invalid = JSON.parse(await history(listener, ['--schema-invalid', '--json'])) as {
      delivery_id: string | null;
    }[];
    expect(invalid.map((r) => r.delivery_id)).toEqual([null, 'dlv_schema']);

    const shown = await history(listener, ['show', 'dlv_schema']);
    expect(shown).toContain('schema     ✗ 2 problems');
    expect(shown).toContain('data.quantity: must be integer (type)');
  });

  it('plain lines carry the mark and the problems', async () => {
    const listener = await startListen(['--secret', SECRET, '--validate']);
    running.push(listener);
    await deliver(listener.url, schemaBreaking(), 'customer.cart.added', 'dlv_plain');
    const stopped = await listener.stop();
    running = [];
    expect(stopped.stderr).toContain('schemas checked');
    expect(stopped.stdout).toMatch(
      /✓ 200 +customer\.cart\.added +dlv_plain .*schema ✗ data\.cart_id: is required \(required\); data\.quantity: must be integer \(type\)/,
    );
  });

  it('--strict answers 422 naming the problems; a good delivery still gets 200', async () => {
    const listener = await listen(['--strict']);
    expect((await deliver(listener.url, good(), 'customer.cart.added', 'dlv_ok')).status).toBe(200);
    const refused = await deliver(listener.url, schemaBreaking(), 'customer.cart.added', 'dlv_bad');
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: { code: string; message: string; errors: unknown[] } };
    expect(body.error.code).toBe('schema_invalid');
    expect(body.error.message).toContain('data.quantity: must be integer (type)');
    expect(body.error.errors).toHaveLength(2);
    await listener.stop();
    running = [];
    const rows = JSON.parse(await history(listener, ['--json'])) as { status: number; schema_valid: boolean }[];
    expect(rows.map((r) => [r.status, r.schema_valid])).toEqual([
      [422, false],
      [200, true],
    ]);
  });

  it('without --validate nothing is judged', async () => {
    const listener = await listen([]);
    await deliver(listener.url, schemaBreaking(), 'customer.cart.added', 'dlv_unjudged');
    await listener.stop();
    running = [];
    const rows = JSON.parse(await history(listener, ['--json'])) as {
      schema_valid: boolean | null;
      schema_errors: unknown;
    }[];
    expect(rows.map((r) => [r.schema_valid, r.schema_errors])).toEqual([[null, null]]);
  });
});
