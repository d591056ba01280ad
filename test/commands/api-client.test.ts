/**
 * The API client commands against a minimal recording server: the exact method, path, headers
 * and body of each request, tolerant reading of answers, and every error answer mapped to one
 * clear line with the right exit code.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { apiStandIn, jsonAnswer } from '../helpers/api-stand-in.js';
import { runCli } from '../helpers/run-cli.js';
import { freePort, type Responder } from '../helpers/servers.js';

const WEBHOOK = {
  id: 'wh_1',
  url: 'https://example.com/hook',
  events: ['catalog.product.created'],
  active: true,
  debug_mode: false,
  secret_hint: 's3****',
};

const standIn = apiStandIn();
const api = standIn.start;
const cli = standIn.cli;
const json = jsonAnswer;

describe('API client requests', () => {
  it('register: POST /api/v1/webhooks with exactly {"url","events","secret","active"}', async () => {
    await api(() => json(201, { ...WEBHOOK, secret: 's3cret' }));
    const result = await cli([
      'register',
      '--url',
      'https://example.com/hook',
      '--events',
      'catalog.product.created,customer.purchase.completed',
      '--secret',
      's3cret',
    ]);
    expect(result.code).toBe(0);
    const [req] = standIn.server.requests;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/api/v1/webhooks');
    expect(req!.headers.authorization).toBe('Bearer tok_123');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toMatch(/^webhooks-cli\//);
    expect(req!.body.toString()).toBe(
      '{"url":"https://example.com/hook","events":["catalog.product.created","customer.purchase.completed"],"secret":"s3cret","active":true}',
    );
    expect(result.stdout).toContain('registered wh_1 → https://example.com/hook');
    // A secret the user gave is not printed whole.
    expect(result.stdout).not.toContain('s3cret');
    expect(result.stdout).toContain('secret    s3****');
  });

  it('register --events all --inactive, without a secret: all 16, active false, a generated secret shown once', async () => {
    await api((req) => json(201, { ...WEBHOOK, ...JSON.parse(req.body.toString()) }));
    const result = await cli(['register', '--url', 'http://127.0.0.1:3000/webhook', '--events', 'all', '--inactive']);
    expect(result.code).toBe(0);
    const body = JSON.parse(standIn.server.requests[0]!.body.toString());
    expect(Object.keys(body)).toEqual(['url', 'events', 'secret', 'active']);
    expect(body.events).toEqual(EVENT_TYPES);
    expect(body.active).toBe(false);
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(result.stdout).toContain(`secret    ${body.secret}`);
    expect(result.stderr).toContain('not shown again');
  });

  it('register --json prints the API answer, its secret masked unless --show-secret', async () => {
    await api(() => json(201, { ...WEBHOOK, secret: 's3cret-long' }));
    const masked = await cli([
      '--json',
      'register',
      '--url',
      'https://example.com/hook',
      '--events',
      'catalog.product.created',
      '--secret',
      's3cret-long',
    ]);
    expect(JSON.parse(masked.stdout)).toEqual({ ...WEBHOOK, secret: 's3********' });
    const shown = await cli([
      '--json',
      'register',
      '--url',
      'https://example.com/hook',
      '--events',
      'catalog.product.created',
      '--secret',
      's3cret-long',
      '--show-secret',
    ]);
    expect(JSON.parse(shown.stdout).secret).toBe('s3cret-long');
  });

  it('list, get and delete: GET and DELETE on the documented paths, no body', async () => {
    await api((req) =>
      req.method === 'DELETE'
        ? { status: 204 }
        : req.url === '/api/v1/webhooks'
          ? json(200, { data: [WEBHOOK] })
          : json(200, WEBHOOK),
    );
    const list = await cli(['list']);
    const get = await cli(['get', 'wh_1']);
    const del = await cli(['delete', 'wh_1']);
    expect([list.code, get.code, del.code]).toEqual([0, 0, 0]);
    expect(standIn.server.requests.map((r) => `${r.method} ${r.url} ${r.body.length}`)).toEqual([
      'GET /api/v1/webhooks 0',
      'GET /api/v1/webhooks/wh_1 0',
      'DELETE /api/v1/webhooks/wh_1 0',
    ]);
    expect(standIn.server.requests.every((r) => r.headers.authorization === 'Bearer tok_123')).toBe(true);
    expect(list.stdout).toMatch(/wh_1\s+active\s+off\s+catalog\.product\.created\s+https:\/\/example\.com\/hook/);
    expect(get.stdout).toContain('url       https://example.com/hook');
    expect(del.stdout.trim()).toBe('deleted wh_1');
  });

  it('update --debug-mode: PATCH with only {"debug_mode": true}', async () => {
    await api(() => json(200, { ...WEBHOOK, debug_mode: true }));
    const result = await cli(['update', 'wh_1', '--debug-mode']);
    expect(result.code).toBe(0);
    expect(standIn.server.requests.map((r) => [r.method, r.url, r.body.toString()])).toEqual([
      ['PATCH', '/api/v1/webhooks/wh_1', '{"debug_mode":true}'],
    ]);
    expect(result.stdout).toContain('debug     on');
  });

  it('update --no-debug-mode --inactive --url: only those fields', async () => {
    await api(() => json(200, WEBHOOK));
    await cli(['update', 'wh_1', '--no-debug-mode', '--inactive', '--url', 'https://example.com/new']);
    expect(JSON.parse(standIn.server.requests[0]!.body.toString())).toEqual({
      url: 'https://example.com/new',
      active: false,
      debug_mode: false,
    });
  });

  it('update --add-event/--remove-event reads the webhook first, then PATCHes the new list', async () => {
    await api((req) =>
      req.method === 'GET'
        ? json(200, { ...WEBHOOK, events: ['catalog.product.created', 'search.zero_results'] })
        : json(200, WEBHOOK),
    );
    const result = await cli([
      'update',
      'wh_1',
      '--add-event',
      'customer.cart.added',
      '--remove-event',
      'search.zero_results',
    ]);
    expect(result.code).toBe(0);
    expect(standIn.server.requests.map((r) => [r.method, r.url, r.body.toString()])).toEqual([
      ['GET', '/api/v1/webhooks/wh_1', ''],
      ['PATCH', '/api/v1/webhooks/wh_1', '{"events":["catalog.product.created","customer.cart.added"]}'],
    ]);
    // An API that gives no ETag gets no If-Match.
    expect(standIn.server.requests[1]!.headers['if-match']).toBeUndefined();
  });

  it('update --add-event sends If-Match with the ETag it read, and on 412 reads again and retries', async () => {
    let version = 1;
    let events = ['catalog.product.created'];
    await api((req) => {
      if (req.method === 'GET') return json(200, { ...WEBHOOK, events }, { etag: `"v${version}"` });
      // Someone else changes it between this client's first read and its PATCH.
      if (version === 1) {
        version = 2;
        events = [...events, 'search.zero_results'];
      }
      if (req.headers['if-match'] !== `"v${version}"`)
        return json(412, { error: { code: 'precondition_failed', message: 'changed since it was read' } });
      events = (JSON.parse(req.body.toString()) as { events: string[] }).events;
      version++;
      return json(200, { ...WEBHOOK, events }, { etag: `"v${version}"` });
    });
    const result = await cli(['update', 'wh_1', '--add-event', 'customer.cart.added']);
    expect(result.code).toBe(0);
    expect(standIn.server.requests.map((r) => [r.method, r.headers['if-match'] ?? null])).toEqual([
      ['GET', null],
      ['PATCH', '"v1"'],
      ['GET', null],
      ['PATCH', '"v2"'],
    ]);
    // The other client's event survives.
    expect(events).toEqual(['catalog.product.created', 'search.zero_results', 'customer.cart.added']);
  });

  it('test: POST /api/v1/webhooks/{id}/test with {"event": T}; exit 1 when the attempt failed', async () => {
    let status = 'succeeded';
    await api(() =>
      json(200, {
        delivery_id: 'dlv_1',
        status,
        attempt: {
          attempt: 1,
          status,
          response_status: status === 'succeeded' ? 200 : 500,
          duration_ms: 3,
          error: status === 'succeeded' ? null : 'answered 500',
        },
      }),
    );
    const ok = await cli(['test', 'wh_1', '--event', 'customer.purchase.completed']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓ 200 {2}customer\.purchase\.completed {2}dlv_1/);
    expect(standIn.server.requests[0]!.method).toBe('POST');
    expect(standIn.server.requests[0]!.url).toBe('/api/v1/webhooks/wh_1/test');
    expect(standIn.server.requests[0]!.body.toString()).toBe('{"event":"customer.purchase.completed"}');
    status = 'failed';
    const failed = await cli(['test', 'wh_1']);
    expect(failed.code).toBe(1);
    expect(standIn.server.requests[1]!.body.toString()).toBe('{"event":"catalog.product.created"}');
    expect(failed.stderr).toContain('the test delivery failed: answered 500');
  });

  it('deliveries: GET with status and limit in the query; one row per attempt', async () => {
    await api(() =>
      json(200, {
        data: [
          {
            delivery_id: 'dlv_1',
            event: 'catalog.product.created',
            attempt: 2,
            status: 'succeeded',
            timestamp: '2026-01-01T00:00:01.000Z',
            response_status: 200,
            duration_ms: 4,
            error: null,
          },
          {
            delivery_id: 'dlv_1',
            event: 'catalog.product.created',
            attempt: 1,
            status: 'failed',
            timestamp: '2026-01-01T00:00:00.000Z',
            response_status: 500,
            duration_ms: 5,
            error: 'answered 500',
          },
        ],
      }),
    );
    const result = await cli(['deliveries', 'wh_1', '--status', 'failed', '--limit', '5']);
    expect(result.code).toBe(0);
    expect(standIn.server.requests[0]!.url).toBe('/api/v1/webhooks/wh_1/deliveries?status=failed&limit=5');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/dlv_1\s+catalog\.product\.created\s+1\s+failed\s+500\s+5\.0 ms\s+answered 500/);
  });

  it('reads other answer shapes as a real client must: bare arrays, {webhook: …} wrappers, camelCase', async () => {
    await api((req) =>
      req.url === '/api/v1/webhooks'
        ? json(200, [
            {
              id: 'wh_9',
              url: 'https://a.example/h',
              eventTypes: 'customer.cart.added, search.zero_results',
              enabled: false,
              debugMode: true,
            },
          ])
        : json(200, { webhook: { id: 'wh_9', endpoint: 'https://a.example/h', events: [], status: 'active' } }),
    );
    const list = await cli(['list']);
    expect(list.stdout).toMatch(
      /wh_9\s+inactive\s+on\s+customer\.cart\.added,search\.zero_results\s+https:\/\/a\.example\/h/,
    );
    const get = await cli(['get', 'wh_9']);
    expect(get.stdout).toContain('url       https://a.example/h');
    expect(get.stdout).toContain('state     active');
  });
});

describe('API client errors', () => {
  const cases: Array<[string, Responder, string[], RegExp]> = [
    [
      '401',
      () => json(401, { error: { code: 'unauthorized', message: 'bad token' } }),
      ['list'],
      /^error: the API refused the token \(401: bad token\) — check --token/,
    ],
    [
      '403 for the name the emulator was reached by (DNS rebinding defence)',
      () => json(403, { error: { code: 'host_not_allowed', message: 'Host "api.test" is not loopback' } }),
      ['list'],
      /^error: the API refused the name it was reached by \(Host "api\.test" is not loopback\) — reach it as 127\.0\.0\.1 or localhost, or start serve with --allow-host NAME$/,
    ],
    [
      '404 on an id',
      () => json(404, { error: { code: 'webhook_not_found', message: 'no such webhook' } }),
      ['get', 'wh_x'],
      /^error: no webhook with id "wh_x" — `webhooks-cli list` shows the ids/,
    ],
    [
      '422 naming the field',
      () => json(422, { error: { code: 'invalid_field', message: 'url must use https', field: 'url' } }),
      ['register', '--url', 'http://a.example/h', '--events', 'all', '--secret', 's'],
      /^error: the API rejected field "url": url must use https — fix --url/,
    ],
    ['500', () => ({ status: 500, body: 'oops' }), ['list'], /^error: the API failed with 500: oops — try again/],
    [
      'non-JSON 404 of a wrong base URL',
      () => ({ status: 404, body: 'Not Found' }),
      ['list'],
      /^error: the API at http:\/\/127\.0\.0\.1:\d+ has no GET \/api\/v1\/webhooks — check --api-url/,
    ],
    [
      'timeout',
      () => ({ status: 200, body: '[]', delayMs: 2_000 }),
      ['list', '--timeout', '200ms'],
      /^error: the API at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.2 s — check that it is healthy, or raise --timeout/,
    ],
  ];
  for (const [name, respond, args, message] of cases) {
    it(`maps ${name} to one line and exit 1`, async () => {
      await api(respond);
      const result = await cli(args);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    });
  }

  it('names the fix when nothing listens at the API URL', async () => {
    const port = await freePort();
    const result = await runCli(['--api-url', `http://127.0.0.1:${port}`, 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: no API at http://127.0.0.1:${port} — start \`webhooks-cli serve\` or pass --api-url`,
    );
  });

  it('--json keeps even errors valid JSON on stdout', async () => {
    await api(() => json(401, { error: { code: 'unauthorized', message: 'bad token' } }));
    const result = await cli(['--json', 'list']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.message).toMatch(/refused the token/);
  });

  it('refuses unknown event types and bad URLs before any request (exit 2, did you mean)', async () => {
    await api(() => json(200, {}));
    const typo = await cli(['register', '--url', 'https://example.com/h', '--events', 'catalog.product.craeted']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe(
      'error: unknown event type "catalog.product.craeted" — did you mean catalog.product.created? (webhooks-cli events list shows all 16)',
    );
    const url = await cli(['register', '--url', 'example.com/h', '--events', 'all']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--url "example.com/h" is not a URL');
    const add = await cli(['update', 'wh_1', '--add-event', 'customer.cart.add']);
    expect(add.code).toBe(2);
    expect(add.stderr).toContain('did you mean customer.cart.added');
    const nothing = await cli(['update', 'wh_1']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to update');
    const testEvent = await cli(['test', 'wh_1', '--event', 'nope.nope']);
    expect(testEvent.code).toBe(2);
    expect(standIn.server.requests).toHaveLength(0);
  });
});
