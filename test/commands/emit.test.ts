/** `emit` against the emulator: one delivery per active subscriber, --set and --data applied. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

let s: ServeProcess;
let receiver: RecordingServer;
beforeAll(async () => {
  receiver = await startRecordingServer();
  s = await startServe();
  await s.call('POST', '/api/v1/webhooks', {
    url: `${receiver.url}/hook`,
    events: ['catalog.product.updated'],
    secret: 's3cret',
    active: true,
  });
}, 30_000);
afterAll(async () => {
  await s?.stop();
  await receiver?.close();
});

const cli = (args: string[], stdin?: string) =>
  runCli(['--api-url', s.url, '--token', 'test-token', ...args], { stdin });

describe('emit', () => {
  it('sends the sample with --set applied; the subscriber receives it', async () => {
    const result = await cli(['emit', 'catalog.product.updated', '--set', 'data.quantity=0']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^emitted catalog\.product\.updated to 1 webhook\(s\)\n {2}dlv_\S+ → wh_/);
    const delivery = await until(
      () => receiver.requests.find((r) => JSON.parse(r.body.toString()).data.quantity === 0),
      15_000,
      'the emitted delivery',
    );
    expect(JSON.parse(delivery.body.toString()).event).toBe('catalog.product.updated');
  });

  it('--data - sends that data object; an event nobody subscribes to says so', async () => {
    const sent = await cli(
      ['--json', 'emit', 'catalog.product.updated', '--data', '-'],
      '{"sku": "TEE-9", "quantity": 3}',
    );
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout).deliveries).toHaveLength(1);
    await until(
      () => receiver.requests.find((r) => JSON.parse(r.body.toString()).data.sku === 'TEE-9'),
      15_000,
      'the --data delivery',
    );
    const none = await cli(['emit', 'customer.cart.added']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('no active webhook is subscribed to customer.cart.added');
    const typo = await cli(['emit', 'customer.cart.addd']);
    expect(typo.code).toBe(2);
  });

  it('data nested 10,000 deep: serve answers 422 naming the limit (not a 500), and emit refuses it before sending', async () => {
    let deep = '{}';
    for (let i = 0; i < 10_000; i++) deep = `{"a":${deep}}`;
    const answer = await fetch(`${s.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: `{"event":"catalog.product.updated","data":${deep}}`,
    });
    expect(answer.status).toBe(422);
    expect(await answer.json()).toEqual({
      error: {
        code: 'invalid_field',
        field: 'data',
        message: 'data is nested more than 64 levels deep; no event payload needs that',
      },
    });
    const emitted = await cli(['emit', 'catalog.product.updated', '--data', '-'], deep);
    expect(emitted.code).toBe(2);
    expect(emitted.stderr).toBe(
      'error: --data - nests more than 64 levels deep — no event payload needs that: flatten the data',
    );
  });
});
