/**
 * `serve` end to end: the built CLI's emulator on a free port, the client commands against it,
 * its error answers, and the delivery engine's promises (retries, disabling, resuming after
 * kill -9, debug mode) observed at a real receiving endpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { type RecordingServer, type Responder, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function serve(args: string[] = [], options: Parameters<typeof startServe>[1] = {}): Promise<ServeProcess> {
  const s = await startServe(args, options);
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

/** A receiving endpoint that records when each request arrived. */
async function endpoint(
  respond: Responder = () => ({ status: 200, body: 'OK' }),
): Promise<RecordingServer & { times: number[] }> {
  const times: number[] = [];
  const server = await startRecordingServer((req) => (times.push(Date.now()), respond(req)));
  cleanups.push(() => server.close());
  return Object.assign(server, { times });
}

/** The client commands, in-process, against the `serve` process. */
function cli(s: ServeProcess, args: string[], token = 'test-token') {
  return runCli(['--api-url', s.url, '--token', token, ...args]);
}

async function register(s: ServeProcess, url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await s.call('POST', '/api/v1/webhooks', {
    url,
    events: ['catalog.product.created', 'customer.cart.added'],
    secret: 's3cret',
    active: true,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.json.id as string;
}

const attempts = async (s: ServeProcess, id: string, query = '') =>
  // biome-ignore lint/suspicious/noExplicitAny: the emulator's JSON answers, checked field by field by the expectations
  (await s.call('GET', `/api/v1/webhooks/${id}/deliveries${query}`)).json.data as any[];

describe('serve: the client commands against the emulator', () => {
  it('register, list, get, update, test, deliveries, delete — each doing what it says', async () => {
    const s = await serve();
    const hook = await endpoint();
    const registered = await cli(s, [
      '--json',
      'register',
      '--url',
      `${hook.url}/webhook`,
      '--events',
      'catalog.product.created',
      '--secret',
      's3cret-xyz',
    ]);
    expect(registered.code).toBe(0);
    const created = JSON.parse(registered.stdout);
    expect(created).toMatchObject({
      url: `${hook.url}/webhook`,
      events: ['catalog.product.created'],
      active: true,
      debug_mode: false,
      secret: 's3********',
    });
    const id = created.id as string;
    expect(id).toMatch(/^wh_[0-9a-f]{16}$/);

    const list = await cli(s, ['list']);
    expect(list.stdout).toMatch(
      new RegExp(`${id}\\s+active\\s+off\\s+catalog\\.product\\.created\\s+${hook.url}/webhook`),
    );

    const get = await cli(s, ['get', id]);
    expect(get.stdout).toContain('secret    s3********');
    expect(get.stdout).not.toContain('s3cret-xyz');

    const update = await cli(s, ['update', id, '--add-event', 'customer.cart.added', '--debug-mode']);
    expect(update.code).toBe(0);
    expect(update.stdout).toContain('events    catalog.product.created, customer.cart.added');
    expect(update.stdout).toContain('debug     on');

    const test = await cli(s, ['test', id, '--event', 'customer.cart.added']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^✓ 200 {2}customer\.cart\.added {2}dlv_[0-9a-f]{24}/);
    const delivered = hook.requests[0]!;
    expect(delivered.headers['x-webhook-event']).toBe('customer.cart.added');
    expect(verify(delivered.body, delivered.headers['x-webhook-signature'], ['s3cret-xyz']).valid).toBe(true);

    const deliveries = await cli(s, ['deliveries', id]);
    expect(deliveries.stdout).toMatch(
      new RegExp(`${delivered.headers['x-webhook-delivery']}\\s+customer\\.cart\\.added\\s+1\\s+succeeded\\s+200`),
    );

    const del = await cli(s, ['delete', id]);
    expect(del.stdout.trim()).toBe(`deleted ${id}`);
    const gone = await cli(s, ['get', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(`error: no webhook with id "${id}" — \`webhooks-cli list\` shows the ids`);
    expect((await cli(s, ['list'])).stdout).toContain('no webhooks');
  });

  it('test exits 1 and says why when the endpoint fails; a wrong token is refused', async () => {
    const s = await serve(['--time-scale', '1']);
    const hook = await endpoint(() => ({ status: 503 }));
    const id = await register(s, `${hook.url}/h`);
    const test = await cli(s, ['test', id]);
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/^✗ 503 {2}catalog\.product\.created/);
    // 503 then the immediate retry, which also fails: the listing shows both, then the one to come.
    await until(async () => (await attempts(s, id)).length === 3);
    const rows = await attempts(s, id);
    expect(rows.map((r) => [r.attempt, r.status])).toEqual([
      [3, 'pending'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
  });

  it('serve --token requires that token; without --token any non-empty token works', async () => {
    const strict = await serve(['--token', 'sekrit']);
    expect((await strict.call('GET', '/api/v1/webhooks', undefined, 'sekrit')).status).toBe(200);
    const wrong = await strict.call('GET', '/api/v1/webhooks', undefined, 'other');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({
      error: { code: 'unauthorized', message: 'the bearer token is not valid for this API' },
    });
    const refused = await cli(strict, ['list'], 'other');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'error: the API refused the token (401: the bearer token is not valid for this API) — check --token (or WEBHOOKS_API_TOKEN / `config set token`)',
    );
    expect((await cli(strict, ['list'], 'sekrit')).code).toBe(0);

    const open = await serve();
    expect((await open.call('GET', '/api/v1/webhooks', undefined, 'anything')).status).toBe(200);
    const missing = await open.call('GET', '/api/v1/webhooks', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.json.error.message).toMatch(/missing bearer token/);
  });
});

describe('serve: API errors', () => {
  it('answers 400, 401, 404, 405, 413 and 422 as JSON errors, and its state stays intact', async () => {
    const s = await serve();
    const id = await register(s, 'https://example.com/hook');
    const cases: Array<[string, string, unknown, number, object]> = [
      ['POST', '/api/v1/webhooks', '{"url": ', 400, { code: 'invalid_json' }],
      ['POST', '/api/v1/webhooks', '[1,2]', 400, { code: 'invalid_body' }],
      [
        'POST',
        '/api/v1/webhooks',
        { url: 'https://e.example/h', events: ['catalog.product.craeted'] },
        422,
        {
          code: 'invalid_field',
          field: 'events[0]',
          message: expect.stringContaining('did you mean catalog.product.created'),
        },
      ],
      [
        'POST',
        '/api/v1/webhooks',
        { url: 'not a url', events: ['customer.cart.added'] },
        422,
        { code: 'invalid_field', field: 'url' },
      ],
      [
        'POST',
        '/api/v1/webhooks',
        { url: 'ftp://e.example/h', events: ['customer.cart.added'] },
        422,
        { field: 'url' },
      ],
      ['POST', '/api/v1/webhooks', { events: ['customer.cart.added'] }, 422, { field: 'url' }],
      ['POST', '/api/v1/webhooks', { url: 'https://e.example/h', events: [] }, 422, { field: 'events' }],
      [
        'POST',
        '/api/v1/webhooks',
        { url: 'https://e.example/h', events: ['customer.cart.added'], colour: 'red' },
        422,
        { field: 'colour' },
      ],
      ['PATCH', `/api/v1/webhooks/${id}`, { debug_mode: 'yes' }, 422, { field: 'debug_mode' }],
      ['PATCH', `/api/v1/webhooks/${id}`, {}, 422, { code: 'nothing_to_update' }],
      ['PATCH', '/api/v1/webhooks/wh_nope', { debug_mode: true }, 404, { code: 'webhook_not_found' }],
      [
        'GET',
        '/api/v1/webhooks/wh_nope',
        undefined,
        404,
        { code: 'webhook_not_found', message: 'no webhook with id "wh_nope"' },
      ],
      ['DELETE', '/api/v1/webhooks/wh_nope', undefined, 404, { code: 'webhook_not_found' }],
      ['GET', '/api/v1/webhooks/wh_nope/deliveries', undefined, 404, { code: 'webhook_not_found' }],
      ['GET', `/api/v1/webhooks/${id}/deliveries?limit=0`, undefined, 422, { field: 'limit' }],
      ['GET', `/api/v1/webhooks/${id}/deliveries?status=great`, undefined, 422, { field: 'status' }],
      ['POST', `/api/v1/webhooks/${id}/test`, { event: 'nope' }, 422, { field: 'event' }],
      ['POST', '/api/v1/events', { event: 'customer.cart.added', data: [1] }, 422, { field: 'data' }],
      ['POST', '/api/v1/events', {}, 422, { field: 'event' }],
      ['GET', '/api/v1/nothing', undefined, 404, { code: 'not_found' }],
      ['GET', '/api/v1/webhooks/%E0%A4%A', undefined, 400, { code: 'invalid_path' }],
      ['PUT', `/api/v1/webhooks/${id}`, { url: 'https://e.example' }, 405, { code: 'method_not_allowed' }],
      [
        'POST',
        '/api/v1/webhooks',
        JSON.stringify({
          url: 'https://e.example/h',
          events: ['customer.cart.added'],
          secret: 'x'.repeat(2 * 1024 * 1024),
        }),
        413,
        { code: 'body_too_large' },
      ],
    ];
    for (const [method, path, body, status, error] of cases) {
      const res = await s.call(method, path, body);
      expect([method, path, res.status]).toEqual([method, path, status]);
      expect(res.json).toEqual({ error: expect.objectContaining({ message: expect.any(String), ...error }) });
    }
    const list = await s.call('GET', '/api/v1/webhooks');
    expect(list.json.data.map((w: { id: string }) => w.id)).toEqual([id]);
    expect(list.json.data[0]).toMatchObject({ url: 'https://example.com/hook', debug_mode: false, active: true });
  });

  it('serves its OpenAPI description without a token', async () => {
    const s = await serve();
    const res = await s.call('GET', '/api/v1/openapi.json', undefined, null);
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    expect(Object.keys(res.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/webhooks',
        '/api/v1/webhooks/{webhook_id}',
        '/api/v1/webhooks/{webhook_id}/test',
        '/api/v1/webhooks/{webhook_id}/deliveries',
        '/api/v1/events',
      ]),
    );
  });

  it('refuses a --time-scale of 0 or below, and a port in use, with one line each', async () => {
    for (const scale of ['0', '-1', 'fast']) {
      const result = await spawnCli(['serve', '--time-scale', scale, '--port', '0']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("option '--time-scale <factor>' argument");
      expect(result.stderr).toContain('expected a number greater than 0');
    }
    const s = await serve();
    const port = new URL(s.url).port;
    const busy = await spawnCli(['serve', '--port', port], { timeout: 10_000 });
    expect(busy.exitCode).toBe(1);
    expect(busy.stderr.trim()).toBe(
      `error: port ${port} on 127.0.0.1 is already in use — stop the other process or pass --port <another>`,
    );
  });
});

describe('serve: the delivery engine', () => {
  it('500 then 200: exactly 2 attempts, the second immediately, same delivery id', async () => {
    const s = await serve(['--time-scale', '1']);
    let n = 0;
    const hook = await endpoint(() => ({ status: n++ === 0 ? 500 : 200 }));
    const id = await register(s, `${hook.url}/h`);
    const emitted = await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    expect(emitted.status).toBe(202);
    expect(emitted.json.deliveries).toEqual([{ id: expect.stringMatching(/^dlv_/), webhook_id: id }]);
    await until(async () => (await attempts(s, id)).some((r) => r.status === 'succeeded'));
    // Nothing left to send: no third attempt can follow.
    await until(async () => (await attempts(s, id, '?status=pending')).length === 0, 10_000, 'no pending');
    expect(hook.requests).toHaveLength(2);
    expect(hook.times[1]! - hook.times[0]!).toBeLessThan(500); // at --time-scale 1 any backoff would be ≥ 1 min
    expect(new Set(hook.requests.map((r) => r.headers['x-webhook-delivery']))).toEqual(
      new Set([emitted.json.deliveries[0].id]),
    );
    expect(hook.requests[1]!.body.equals(hook.requests[0]!.body)).toBe(true);
    const rows = await attempts(s, id);
    expect(rows.map((r) => [r.attempt, r.status, r.response_status])).toEqual([
      [2, 'succeeded', 200],
      [1, 'failed', 500],
    ]);
  });

  it('always 500: 6 attempts at the documented offsets (0, 0, 5, 30, 155, 780 min, scaled), then it gives up', async () => {
    const scale = 0.0001;
    const s = await serve(['--time-scale', String(scale)]);
    const hook = await endpoint(() => ({ status: 500 }));
    const id = await register(s, `${hook.url}/h`);
    await s.call('POST', '/api/v1/events', { event: 'catalog.product.created' });
    await until(async () => (await attempts(s, id)).some((r) => r.delivery_status === 'failed'), 15_000);
    await until(async () => (await attempts(s, id, '?status=pending')).length === 0, 10_000, 'no pending');
    expect(hook.requests).toHaveLength(6);
    const minutes = [0, 5, 25, 125, 625];
    const gaps = hook.times.slice(1).map((t, i) => t - hook.times[i]!);
    gaps.forEach((gap, i) => {
      const expected = minutes[i]! * 60_000 * scale;
      expect(gap).toBeGreaterThanOrEqual(expected - 5);
      expect(gap).toBeLessThan(expected + 250);
    });
    const rows = await attempts(s, id);
    expect(rows.map((r) => r.attempt)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(
      rows.every((r) => r.status === 'failed' && r.response_status === 500 && r.delivery_status === 'failed'),
    ).toBe(true);
    expect(new Set(hook.requests.map((r) => r.headers['x-webhook-delivery'])).size).toBe(1);
  });

  it('100 consecutive failed attempts disable the webhook: no 101st attempt, and it says why', async () => {
    const s = await serve(['--time-scale', '0.00001']);
    const hook = await endpoint(() => ({ status: 500 }));
    const id = await register(s, `${hook.url}/h`);
    for (let i = 0; i < 18; i++) await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    await until(async () => (await s.call('GET', `/api/v1/webhooks/${id}`)).json.active === false, 20_000, 'disabled');
    await until(async () => (await attempts(s, id, '?status=pending')).length === 0, 10_000, 'no pending');
    // The last answer may still be on its way back from the endpoint's socket.
    await until(() => hook.requests.length >= 100, 5_000, '100 requests');
    expect(hook.requests).toHaveLength(100);
    const webhook = (await s.call('GET', `/api/v1/webhooks/${id}`)).json;
    expect(webhook).toMatchObject({
      active: false,
      consecutive_failures: 100,
      disabled_reason: expect.stringContaining('disabled after 100 consecutive failed attempts (last: answered 500)'),
    });
    const skipped = await attempts(s, id, '?status=skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0].error).toContain(`webhook ${id} is disabled`);

    // Disabled: emitting reaches nobody, test refuses, get and list say so.
    expect((await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' })).json.deliveries).toEqual([]);
    const test = await cli(s, ['test', id]);
    expect(test.code).toBe(1);
    expect(test.stderr).toContain(`webhook ${id} is disabled: disabled after 100 consecutive failed attempts`);
    // The fix is named once: the reason already carries it, so no second hint repeats it.
    expect(test.stderr.trim().split('\n')).toHaveLength(1);
    expect(test.stderr.match(/--active/g)).toHaveLength(1);
    const get = await cli(s, ['get', id]);
    expect(get.stdout).toContain('state     disabled');
    expect(get.stdout).toContain('reason    disabled after 100 consecutive failed attempts');
    expect(hook.requests).toHaveLength(100);

    // Re-activating clears the count and the reason.
    const reactivated = await cli(s, ['--json', 'update', id, '--active']);
    expect(JSON.parse(reactivated.stdout)).toMatchObject({
      active: true,
      consecutive_failures: 0,
      disabled_reason: null,
    });
  }, 40_000);

  it('a success resets the consecutive-failure count', async () => {
    const s = await serve(['--time-scale', '0.00001']);
    let n = 0;
    const hook = await endpoint(() => ({ status: n++ === 3 ? 200 : 500 }));
    const id = await register(s, `${hook.url}/h`);
    await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    await until(async () => (await attempts(s, id)).some((r) => r.status === 'succeeded'));
    expect((await s.call('GET', `/api/v1/webhooks/${id}`)).json.consecutive_failures).toBe(0);
    await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    await until(async () => (await s.call('GET', `/api/v1/webhooks/${id}`)).json.consecutive_failures >= 1);
    expect(hook.requests.length).toBeGreaterThanOrEqual(5);
  });

  it('kill -9 with a retry pending, restart: delivered with the same delivery id, nothing lost', async () => {
    const configDir = tempDir();
    let healthy = false;
    const hook = await endpoint(() => ({ status: healthy ? 200 : 500 }));
    const first = await startServe(['--time-scale', '0.002'], { configDir });
    cleanups.push(() => first.stop('SIGKILL'));
    const id = await register(first, `${hook.url}/h`);
    const emitted = await first.call('POST', '/api/v1/events', { event: 'catalog.product.created' });
    const deliveryId = emitted.json.deliveries[0].id as string;
    // Attempts 1 and 2 fail (500, then the immediate retry); attempt 3 is due 5 min × 0.002 = 600 ms later.
    await until(async () => (await attempts(first, id)).some((r) => r.status === 'pending' && r.attempt === 3));
    await first.stop('SIGKILL');
    expect(hook.requests).toHaveLength(2);

    healthy = true;
    const second = await serve(['--time-scale', '0.002'], { configDir });
    expect(second.stderr()).toContain('resuming 1 pending delivery');
    await until(() => hook.requests.length === 3, 10_000, 'the resumed attempt');
    expect(hook.requests.map((r) => r.headers['x-webhook-delivery'])).toEqual([deliveryId, deliveryId, deliveryId]);
    expect(hook.requests[2]!.body.equals(hook.requests[0]!.body)).toBe(true);
    await until(async () => (await attempts(second, id)).some((r) => r.status === 'succeeded'));
    const rows = await attempts(second, id);
    expect(rows.map((r) => [r.attempt, r.status])).toEqual([
      [3, 'succeeded'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
  });

  it('a restart with another --time-scale applies it to the retries already scheduled', async () => {
    const configDir = tempDir();
    const hook = await endpoint(() => ({ status: hook.requests.length > 1 ? 200 : 404 }));
    // Unscaled: the retry after a 404 is due in a minute.
    const first = await startServe([], { configDir });
    cleanups.push(() => first.stop('SIGKILL'));
    const id = await register(first, `${hook.url}/h`);
    await first.call('POST', '/api/v1/events', { event: 'catalog.product.created' });
    await until(async () => (await attempts(first, id)).some((r) => r.status === 'pending' && r.attempt === 2));
    await first.stop('SIGKILL');
    expect(hook.requests).toHaveLength(1);

    // 1 min × 0.0001 = 6 ms after the failed attempt: due at once.
    const started = Date.now();
    const second = await serve(['--time-scale', '0.0001'], { configDir });
    await until(() => hook.requests.length === 2, 5_000, 'the rescheduled retry');
    expect(Date.now() - started).toBeLessThan(5_000);
    await until(async () => (await attempts(second, id)).some((r) => r.status === 'succeeded'));
  });

  it('and back: a retry scheduled under a small --time-scale waits the whole delay after a restart at scale 1', async () => {
    const configDir = tempDir();
    const hook = await endpoint(() => ({ status: 404 }));
    // 1 min × 0.05 = 3 s: pending long enough to be killed while it waits.
    const first = await startServe(['--time-scale', '0.05'], { configDir });
    cleanups.push(() => first.stop('SIGKILL'));
    const id = await register(first, `${hook.url}/h`);
    await first.call('POST', '/api/v1/events', { event: 'catalog.product.created' });
    await until(async () => (await attempts(first, id)).some((r) => r.status === 'pending' && r.attempt === 2));
    const failedAt = Date.parse((await attempts(first, id, '?status=failed'))[0].timestamp);
    await first.stop('SIGKILL');

    const second = await serve([], { configDir });
    const [pending] = await attempts(second, id, '?status=pending');
    // Due a minute after the failed attempt ended (it started at failedAt and took a few ms).
    const due = Date.parse(pending.timestamp) - failedAt;
    expect(due).toBeGreaterThanOrEqual(60_000);
    expect(due).toBeLessThan(61_000);
    expect(hook.requests).toHaveLength(1);
  });

  it('kill -9 during an attempt, restart: the attempt is made again with the same delivery id', async () => {
    const configDir = tempDir();
    let hang = true;
    const hook = await endpoint(() => (hang ? { status: 200, delayMs: 5_000 } : { status: 200 }));
    const first = await startServe([], { configDir });
    cleanups.push(() => first.stop('SIGKILL'));
    await register(first, `${hook.url}/h`);
    const emitted = await first.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    await until(() => hook.requests.length === 1);
    await first.stop('SIGKILL');
    hang = false;
    const second = await serve([], { configDir });
    expect(second.stderr()).toContain('resuming 1 pending delivery');
    await until(() => hook.requests.length === 2, 10_000, 'the repeated attempt');
    expect(hook.requests[1]!.headers['x-webhook-delivery']).toBe(emitted.json.deliveries[0].id);
    expect(hook.requests[1]!.headers['x-webhook-signature']).toBe(hook.requests[0]!.headers['x-webhook-signature']);
  });

  it('SIGTERM stops serve with exit 0; pending deliveries survive', async () => {
    const configDir = tempDir();
    const hook = await endpoint(() => ({ status: 400 }));
    const s = await startServe(['--time-scale', '1'], { configDir });
    const id = await register(s, `${hook.url}/h`);
    await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    await until(() => hook.requests.length === 1);
    await until(async () => (await attempts(s, id)).length === 2);
    s.process.kill('SIGTERM');
    const result = await s.process;
    expect(result.exitCode).toBe(0);
    expect(s.stderr()).toContain('pending deliveries stay in the state file');
    const again = await serve(['--time-scale', '1'], { configDir });
    expect(again.stderr()).toContain('resuming 1 pending delivery');
  });

  it('debug mode keeps the full request and response of each attempt; off keeps neither', async () => {
    const s = await serve();
    const hook = await endpoint(() => ({ status: 200, body: '{"received":true}', headers: { 'x-receiver': 'yes' } }));
    const id = await register(s, `${hook.url}/h`);
    expect((await cli(s, ['test', id])).code).toBe(0);
    const off = await attempts(s, id);
    expect(off[0].request).toBeUndefined();
    expect(off[0].response).toBeUndefined();

    expect((await cli(s, ['update', id, '--debug-mode'])).code).toBe(0);
    expect((await cli(s, ['test', id, '--event', 'customer.cart.added'])).code).toBe(0);
    const on = await attempts(s, id);
    const sent = hook.requests[1]!;
    expect(on[0].request.body).toBe(sent.body.toString('utf8'));
    expect(on[0].request.headers['x-webhook-signature']).toBe(sent.headers['x-webhook-signature']);
    expect(on[0].request.headers['x-webhook-delivery']).toBe(sent.headers['x-webhook-delivery']);
    expect(on[0].response).toMatchObject({
      status: 200,
      body: '{"received":true}',
      headers: expect.objectContaining({ 'x-receiver': 'yes' }),
    });
    const human = await cli(s, ['deliveries', id]);
    expect(human.stderr).toContain('1 attempt(s) carry the full request and response (debug mode)');

    expect((await cli(s, ['update', id, '--no-debug-mode'])).code).toBe(0);
    await cli(s, ['test', id]);
    expect((await attempts(s, id))[0].request).toBeUndefined();
  });

  it('signs with the new secret after update --secret, sends to the new URL, and stops retrying a deleted webhook', async () => {
    // The third attempt is due 5 min × 0.005 = 1.5 s after the second: room for `delete` to land first.
    const s = await serve(['--time-scale', '0.005']);
    const first = await endpoint(() => ({ status: 200 }));
    const second = await endpoint(() => ({ status: 503 }));
    const id = await register(s, `${first.url}/h`);
    expect((await cli(s, ['update', id, '--secret', 'rotated', '--url', `${second.url}/h2`])).code).toBe(0);
    await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    // 503, the immediate retry, then the next would be due 1.5 s later.
    await until(() => second.requests.length === 2);
    expect(first.requests).toHaveLength(0);
    expect(
      verify(second.requests[0]!.body, second.requests[0]!.headers['x-webhook-signature'], ['rotated']).valid,
    ).toBe(true);
    expect(verify(second.requests[0]!.body, second.requests[0]!.headers['x-webhook-signature'], ['s3cret']).valid).toBe(
      false,
    );
    expect((await cli(s, ['delete', id])).code).toBe(0);
    // Its deliveries went with it, so the retry due 1.5 s later has nothing to send; and none comes
    // in that window (a check that something does not happen needs the window to pass).
    await until(
      async () => (await s.call('GET', `/api/v1/webhooks/${id}/deliveries`)).status === 404,
      5_000,
      'deliveries gone',
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(second.requests).toHaveLength(2);
  });

  it('emits to every active subscriber of the event, and only to them', async () => {
    const s = await serve();
    const a = await endpoint();
    const b = await endpoint();
    const c = await endpoint();
    await register(s, `${a.url}/a`);
    await register(s, `${b.url}/b`, { events: ['search.zero_results'] });
    await register(s, `${c.url}/c`, { active: false });
    const res = await s.call('POST', '/api/v1/events', {
      event: 'catalog.product.created',
      data: { product_id: 'prod_1' },
    });
    expect(res.json.deliveries).toHaveLength(1);
    await until(() => a.requests.length === 1);
    // One delivery was created (above), so nothing can reach b or c later.
    expect([b.requests.length, c.requests.length]).toEqual([0, 0]);
    expect(JSON.parse(a.requests[0]!.body.toString())).toMatchObject({
      event: 'catalog.product.created',
      data: { product_id: 'prod_1' },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    // serve prints one line per attempt once it is recorded.
    await until(
      () => s.stdout.some((line) => line.includes('catalog.product.created') && line.includes(`${a.url}/a`)),
      5_000,
      'the attempt line',
    );
  });
});
