/**
 * Fuzzing the emulator's API (`serve`, a real process): random methods, paths, query strings,
 * tokens and bodies. It never answers 5xx, every error is the documented JSON shape, and it stays up.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { rawExchange } from './raw-http.js';

const TOKEN = 'fuzz-token';
let serve: ServeProcess;
let port: number;

beforeAll(async () => {
  serve = await startServe(['--token', TOKEN, '--time-scale', '0.0001'], { token: TOKEN });
  port = Number(new URL(serve.url).port);
});

afterAll(async () => {
  await serve.stop('SIGKILL');
});

const id = fc.oneof(
  fc.constantFrom('wh_0', 'wh_%ZZ', '%00', 'x'.repeat(300), '..', `wh_${'9'.repeat(16)}`),
  fc.stringMatching(/^[A-Za-z0-9_%.~-]{1,20}$/),
);
const path = fc.oneof(
  fc.constantFrom('/api/v1/webhooks', '/api/v1/events', '/api/v1/openapi.json', '/api/v1/', '/', '/api/v1/webhooks/'),
  id.map((i) => `/api/v1/webhooks/${i}`),
  fc.tuple(id, fc.constantFrom('test', 'deliveries', 'nope')).map(([i, tail]) => `/api/v1/webhooks/${i}/${tail}`),
  fc
    .tuple(id, fc.constantFrom('failed', 'pending', '500', 'x', ''), fc.constantFrom('1', '0', '-1', '1001', 'abc', ''))
    .map(([i, status, limit]) => `/api/v1/webhooks/${i}/deliveries?status=${status}&limit=${limit}`),
);
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('http://127.0.0.1:1/webhook', 'ftp://x', 'not a url', '', 'customer.cart.added', 'all'),
  fc.array(fc.constantFrom('customer.cart.added', 'nope', '', 'all'), { maxLength: 3 }),
);
const webhookish = fc.dictionary(
  fc.constantFrom('url', 'events', 'secret', 'active', 'debug_mode', 'event', 'data', 'extra'),
  fieldValue,
  { maxKeys: 5 },
);
const body = fc.oneof(
  fc.constant(''),
  webhookish.map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.constantFrom('{', '{"url":', 'null', '[]', '"x"', '\u0000'),
);
const auth = fc.constantFrom(
  `Bearer ${TOKEN}`,
  `Bearer ${TOKEN}`,
  `Bearer ${TOKEN}x`,
  'Bearer ',
  'Basic abc',
  '',
  `bearer   ${TOKEN}`,
);
/** A valid registration with one field perhaps spoilt: reaches the validation and the store. */
const nearlyValid = fc
  .tuple(fc.constantFrom('url', 'events', 'secret', 'active', 'debug_mode', 'none'), fieldValue)
  .map(([field, value]) => {
    const webhook: Record<string, unknown> = {
      url: 'http://127.0.0.1:1/webhook',
      events: ['customer.cart.added'],
      secret: 's',
      active: false,
    };
    if (field !== 'none') webhook[field] = value;
    return JSON.stringify(webhook);
  });
const request = fc.oneof(
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'),
    path,
    body,
    auth,
    chunked: fc.boolean(),
  }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.constantFrom('/api/v1/webhooks', '/api/v1/events'),
    body: nearlyValid,
    auth: fc.constant(`Bearer ${TOKEN}`),
    chunked: fc.boolean(),
  }),
);

describe('serve under fuzzed API requests', () => {
  it('never answers 5xx and always explains an error in the documented JSON shape', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 5 }), async (batch) => {
        await Promise.all(
          batch.map(async (r) => {
            const bytes = Buffer.from(r.body, 'latin1');
            const head = [
              `${r.method} ${r.path} HTTP/1.1`,
              'Host: 127.0.0.1',
              'Connection: close',
              'Content-Type: application/json',
            ];
            if (r.auth) head.push(`Authorization: ${r.auth}`);
            head.push(r.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${bytes.length}`);
            const lastChunk = Buffer.from('0\r\n\r\n');
            const payload = !r.chunked
              ? bytes
              : bytes.length === 0
                ? lastChunk
                : Buffer.concat([
                    Buffer.from(`${bytes.length.toString(16)}\r\n`),
                    bytes,
                    Buffer.from('\r\n'),
                    lastChunk,
                  ]);
            const exchange = await rawExchange(port, [Buffer.from(`${head.join('\r\n')}\r\n\r\n`), payload], {
              headRequest: r.method === 'HEAD',
            });
            expect(exchange.timedOut, `${r.method} ${r.path}`).toBe(false);
            expect(exchange.answers, `${r.method} ${r.path}`).toHaveLength(1);
            const { status } = exchange.answers[0]!;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            expect(status, `${r.method} ${r.path} ${r.body.slice(0, 80)}`).toBeLessThan(500);
            if (status >= 400 && r.method !== 'HEAD') {
              const error = (JSON.parse(exchange.answers[0]!.body) as { error?: { code?: unknown; message?: unknown } })
                .error;
              expect(
                typeof error?.code === 'string' && typeof error.message === 'string',
                exchange.answers[0]!.body,
              ).toBe(true);
            }
          }),
        );
        expect(serve.process.exitCode).toBe(null);
      }),
      { seed: 20261130, numRuns: 200, endOnFailure: true },
    );
    // The run reached past the token check into validation and the handlers.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 400, 401, 404, 405, 422]));
    expect(serve.stderr()).not.toMatch(/\n\s+at |TypeError|RangeError/);
  });

  it('answers what is not HTTP with the same JSON errors', async () => {
    const malformed = [
      'POST /api/v1/webhooks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'P@ST /api/v1/webhooks HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /api/v1/webhooks HTTP/1.1\r\nbad header\r\n\r\n',
      `GET /api/v1/webhooks HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    ];
    const answers = await Promise.all(
      malformed.map(async (text) => (await rawExchange(port, [Buffer.from(text)])).answers),
    );
    expect(answers.map((a) => a.map((x) => x.status))).toEqual([[400], [400], [400], [431]]);
    for (const [answer] of answers)
      expect(JSON.parse(answer!.body)).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
    expect(serve.process.exitCode).toBe(null);
  });
});
