import { createHmac, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { tempDir } from '../helpers/cli.js';
import { startReceiverProcess } from '../helpers/receiver-process.js';
import { runCli } from '../helpers/run-cli.js';
import { freePort, type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';

/** The receiver's own check, written from the platform document, not from our code. */
function independentlyValid(body: Buffer, header: string | string[] | undefined, secret: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`,
  );
  const received = Buffer.from(String(header ?? ''));
  return expected.length === received.length && timingSafeEqual(expected, received);
}

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('trigger', () => {
  it('--all sends 16 correctly signed deliveries with the contract headers, and records them', async () => {
    server = await startRecordingServer((req) => ({
      status: independentlyValid(req.body, req.headers['x-webhook-signature'], SECRET) ? 200 : 401,
    }));
    const configDir = tempDir();
    const result = await runCli(['trigger', '--all', '--to', `${server.url}/webhook`, '--secret', SECRET], {
      configDir,
    });
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(16);
    expect(server.requests.map((r) => r.headers['x-webhook-event']).sort()).toEqual([...EVENT_TYPES].sort());
    for (const req of server.requests) {
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/webhook');
      expect(independentlyValid(req.body, req.headers['x-webhook-signature'], SECRET)).toBe(true);
      expect(req.headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['user-agent']).toMatch(/^webhooks-cli\/\d+\.\d+\.\d+/);
      expect(req.headers['x-webhook-delivery']).toMatch(/^dlv_[0-9a-f]{24}$/);
      const envelope = JSON.parse(req.body.toString());
      expect(envelope.event).toBe(req.headers['x-webhook-event']);
      expect(envelope.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    expect(new Set(server.requests.map((r) => r.headers['x-webhook-delivery'])).size).toBe(16);
    expect(result.stdout.split('\n')).toHaveLength(16);
    expect(result.stdout).toMatch(/✓ 200 {2}catalog\.product\.created/);

    const history = await runCli(['history', '--json', '--limit', '100'], { configDir });
    const rows = JSON.parse(history.stdout);
    expect(rows).toHaveLength(16);
    const sent = server.requests.find((r) => r.headers['x-webhook-event'] === 'customer.cart.added')!;
    const shown = JSON.parse(
      (await runCli(['history', 'show', String(sent.headers['x-webhook-delivery']), '--json'], { configDir })).stdout,
    );
    expect(Buffer.from(shown.request_body_base64, 'base64').equals(sent.body)).toBe(true);
    expect(shown).toMatchObject({ status: 200, direction: 'out', source: 'trigger', event: 'customer.cart.added' });
  });

  it('after the first green --all, suggests smoke once (never with --json, nor when something failed)', async () => {
    server = await startRecordingServer();
    const configDir = tempDir();
    const all = () => runCli(['trigger', '--all', '--to', server!.url, '--secret', SECRET], { configDir });
    const quiet = await runCli(['--json', 'trigger', '--all', '--to', server.url, '--secret', SECRET], { configDir });
    expect(quiet.stderr).toBe('');
    const first = await all();
    expect(first.code).toBe(0);
    expect(first.stderr.split('\n')).toEqual([
      'all answered 2xx. Next, smoke also sends what a receiver must reject (bad signatures) and what it',
      'must take byte for byte (pretty-printed, non-ASCII, duplicates):',
      `  webhooks-cli smoke --url ${server.url}/ --secret …`,
    ]);
    expect((await all()).stderr).toBe('');
  });

  it('--json reports each delivery; a non-2xx answer exits 1 and names the cause', async () => {
    server = await startRecordingServer(() => ({ status: 401, body: 'Invalid signature' }));
    const result = await runCli(['trigger', 'search.zero_results', '--to', server.url, '--secret', 'wrong', '--json']);
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ ok: false, deliveries: [{ event: 'search.zero_results', status: 401, ok: false }] });
    expect(result.stderr.split('\n')).toEqual([
      'error: 1 of 1 deliveries failed: the receiver answered 401 ("Invalid signature"): it rejected the signature',
      `to find out why, run: webhooks-cli doctor --url ${server.url}/ --event search.zero_results --secret 'wr***'  (your secret in place of the masked one), or pass --diagnose`,
    ]);
  });

  it('a JSON answer is quoted as it is, not inside quotes of its own', async () => {
    server = await startRecordingServer(() => ({ status: 401, body: '{"error":{"code":"invalid_signature"}}' }));
    const result = await runCli(['trigger', 'search.zero_results', '--to', server.url, '--secret', 'wrong']);
    expect(result.stderr.split('\n')[0]).toBe(
      'error: 1 of 1 deliveries failed: the receiver answered 401 ({"error":{"code":"invalid_signature"}}): it rejected the signature',
    );
  });

  it("a 401 for a --pretty body names the raw bytes and shows the receiver's words; --verbose its whole answer", async () => {
    const app = await startReceiverProcess('reserialising-app.mjs', [SECRET]);
    try {
      const pretty = await runCli([
        'trigger',
        'catalog.product.created',
        '--pretty',
        '--to',
        app.url,
        '--secret',
        SECRET,
      ]);
      expect(pretty.code).toBe(1);
      expect(pretty.stderr.split('\n')).toEqual([
        'error: 1 of 1 deliveries failed: the receiver answered 401 ("Invalid signature"): it rejected the signature (--pretty indents the body: a receiver that verifies re-serialised JSON rejects it)',
        `to find out why, run: webhooks-cli doctor --url ${app.url} --secret 's3****'  (your secret in place of the masked one), or pass --diagnose`,
      ]);
    } finally {
      await app.stop();
    }
    server = await startRecordingServer(() => ({
      status: 422,
      body: '\n  {"error": "price must be positive",\n   "field": "data.price"}\u001b[2J',
    }));
    const verbose = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--verbose',
    ]);
    const lines = verbose.stderr.split('\n');
    expect(lines[0]).toBe(
      'error: 1 of 1 deliveries failed: the receiver answered 422 ({"error": "price must be positive",)',
    );
    expect(lines[1]).toMatch(/^answer to dlv_\w+ \(422\):$/);
    expect(lines.slice(2)).toEqual([
      '    {"error": "price must be positive",',
      '     "field": "data.price"}\\u001b[2J',
    ]);
  });

  it('--set overrides fields, parsing JSON values, and the signature covers the result', async () => {
    server = await startRecordingServer();
    const result = await runCli([
      'trigger',
      'catalog.product.updated',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--set',
      'data.quantity=0',
      '--set',
      'data.sku=TEE-01',
      '--set',
      'data.changed_fields=["quantity"]',
    ]);
    expect(result.code).toBe(0);
    const req = server.requests[0]!;
    expect(JSON.parse(req.body.toString()).data).toMatchObject({
      quantity: 0,
      sku: 'TEE-01',
      changed_fields: ['quantity'],
    });
    expect(independentlyValid(req.body, req.headers['x-webhook-signature'], SECRET)).toBe(true);
  });

  it('--data replaces the data object, from a file or stdin', async () => {
    server = await startRecordingServer();
    const file = join(tempDir(), 'data.json');
    writeFileSync(file, '{"customer_id":"cust_1","product_id":"prod_9"}');
    expect(
      (await runCli(['trigger', 'customer.product.viewed', '--to', server.url, '--secret', SECRET, '--data', file]))
        .code,
    ).toBe(0);
    expect(
      (
        await runCli(['trigger', 'customer.product.viewed', '--to', server.url, '--secret', SECRET, '--data', '-'], {
          stdin: '{"customer_id":"cust_2","product_id":"prod_1"}',
        })
      ).code,
    ).toBe(0);
    expect(server.requests.map((r) => JSON.parse(r.body.toString()).data.customer_id)).toEqual(['cust_1', 'cust_2']);
  });

  it('uses the secret from the environment, then from config', async () => {
    server = await startRecordingServer();
    const configDir = tempDir();
    await runCli(['trigger', 'recommendation.shown', '--to', server.url], {
      configDir,
      env: { WEBHOOKS_SECRET: 'from-env' },
    });
    expect((await runCli(['config', 'set', 'secret', 'from-config'], { configDir })).code).toBe(0);
    await runCli(['trigger', 'recommendation.shown', '--to', server.url], { configDir });
    await runCli(['trigger', 'recommendation.shown', '--to', server.url, '--secret', 'from-flag'], {
      configDir,
      env: { WEBHOOKS_SECRET: 'from-env' },
    });
    const [a, b, c] = server.requests;
    expect(independentlyValid(a!.body, a!.headers['x-webhook-signature'], 'from-env')).toBe(true);
    expect(independentlyValid(b!.body, b!.headers['x-webhook-signature'], 'from-config')).toBe(true);
    expect(independentlyValid(c!.body, c!.headers['x-webhook-signature'], 'from-flag')).toBe(true);
  });

  it('a load run sends count × types, each a new delivery id, and summarises', async () => {
    server = await startRecordingServer();
    const configDir = tempDir();
    const result = await runCli(
      [
        'trigger',
        'customer.cart.added',
        'search.query.performed',
        '--count',
        '150',
        '--concurrency',
        '8',
        '--to',
        server.url,
        '--secret',
        SECRET,
        '--json',
      ],
      { configDir },
    );
    expect(result.code).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      sent: 300,
      succeeded: 300,
      failed_status: 0,
      errors: 0,
      status_counts: { 200: 300 },
    });
    expect(summary.latency_ms.p99).toBeGreaterThanOrEqual(summary.latency_ms.p50);
    expect(summary.rate_per_second).toBeGreaterThan(0);
    expect(new Set(server.requests.map((r) => r.headers['x-webhook-delivery'])).size).toBe(300);
    expect(JSON.parse((await runCli(['history', '--json', '--limit', '1000'], { configDir })).stdout)).toHaveLength(
      300,
    );
  });
});

describe('trigger: bad input', () => {
  it('an unknown event type exits 2 with a suggestion', async () => {
    const result = await runCli(['trigger', 'catalog.product.creatd', '--secret', SECRET]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: unknown event type "catalog.product.creatd" — did you mean catalog.product.created? (webhooks-cli events list shows all 16)',
    );
  });

  it('a refused connection exits 1 with one line, and the attempt is recorded', async () => {
    const configDir = tempDir();
    const port = await freePort();
    const result = await runCli(
      ['trigger', 'catalog.product.deleted', '--to', `http://127.0.0.1:${port}/webhook`, '--secret', SECRET],
      { configDir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/connection refused by 127\.0\.0\.1:\d+ — is the receiver running on that port\?/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const [row] = JSON.parse((await runCli(['history', '--json'], { configDir })).stdout);
    expect(row).toMatchObject({
      event: 'catalog.product.deleted',
      status: null,
      error: expect.stringMatching(/connection refused/),
    });
  });

  it('a receiver slower than --timeout is reported as a timeout', async () => {
    server = await startRecordingServer(() => ({ status: 200, delayMs: 2000 }));
    const result = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--timeout',
      '200ms',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/no answer from 127\.0\.0\.1:\d+ within 200 ms/);
  });

  it.each([
    [['--set', 'data.prise=1'], /no field "data\.prise".*did you mean data\.price\?/],
    [['--set', 'oops'], /not of the form path=value/],
    [['--data', '/nonexistent/file.json'], /cannot read \/nonexistent\/file\.json: no such file or directory/],
    [['--to', 'ftp://x'], /--to must be an http\(s\) URL/],
    [['--timeout', 'soon'], /expected a duration/],
    [['--count', '0'], /expected a whole number/],
  ])('%j is a usage error (exit 2) in one line', async (args, message) => {
    const result = await runCli(['trigger', 'catalog.product.created', '--secret', SECRET, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('invalid JSON in --data names the problem', async () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, '{"customer_id": ');
    const result = await runCli(['trigger', 'customer.cart.added', '--secret', SECRET, '--data', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not valid JSON/);
  });

  it('no secret anywhere is a usage error naming the ways to give one', async () => {
    const result = await runCli(['trigger', 'catalog.product.created']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no signing secret — pass --secret, set WEBHOOKS_SECRET/);
  });

  it('an unwritable --db is reported before anything is sent', async () => {
    server = await startRecordingServer();
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, '');
    const result = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--db',
      join(file, 'h.db'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot write the history at .*: a parent is not a directory — pass --db with a writable path/,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('trigger: the envelope stays well-formed', () => {
  it.each([
    [
      ['--set', 'event=catalog.product.created'],
      /the payload's "event" is "catalog\.product\.created", but the delivery is a customer\.cart\.added/,
    ],
    [
      ['--set', 'timestamp=yesterday'],
      /"timestamp" "yesterday" is not ISO-8601 UTC — use the form 2023-12-01T10:30:00Z/,
    ],
    [['--set', 'data=[1,2]'], /"data" must be a JSON object, not an array/],
  ])('%j is refused (exit 2) before anything is sent', async (args, message) => {
    server = await startRecordingServer();
    const result = await runCli(['trigger', 'customer.cart.added', '--to', server.url, '--secret', SECRET, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });

  it('--data with an array is refused; a whole envelope names its own type and gets a timestamp', async () => {
    server = await startRecordingServer();
    const bad = await runCli(
      ['trigger', 'customer.cart.added', '--to', server.url, '--secret', SECRET, '--data', '-'],
      { stdin: '[1,2]' },
    );
    expect(bad.code).toBe(2);
    const good = await runCli(['trigger', '--to', server.url, '--secret', SECRET, '--data', '-'], {
      stdin:
        '{"event":"catalog.product.deleted","data":{"product_id":"prod_9","sku":"COAT-9","deleted_at":"2023-12-02T09:00:00Z"}}',
    });
    expect(good.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.headers['x-webhook-event']).toBe('catalog.product.deleted');
    expect(JSON.parse(req.body.toString())).toMatchObject({
      event: 'catalog.product.deleted',
      timestamp: expect.stringMatching(/Z$/),
      data: { product_id: 'prod_9' },
    });
    const mismatch = await runCli(
      ['trigger', 'customer.cart.added', '--to', server.url, '--secret', SECRET, '--data', '-'],
      { stdin: '{"event":"catalog.product.deleted","data":{}}' },
    );
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/trigger catalog\.product\.deleted instead/);
  });

  it('sends one at a time outside a load run, so the history keeps the order sent', async () => {
    let inFlight = 0;
    let most = 0;
    server = await startRecordingServer(() => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => inFlight--, 15);
      return { status: 200, delayMs: 15 };
    });
    const configDir = tempDir();
    await runCli(['trigger', '--all', '--to', server.url, '--secret', SECRET], { configDir });
    expect(most).toBe(1);
    const rows = JSON.parse((await runCli(['history', '--json'], { configDir })).stdout) as Array<{ event: string }>;
    expect(rows.map((r) => r.event).reverse()).toEqual([...EVENT_TYPES]);
  });
});

const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

describe('trigger refuses what it would ignore', () => {
  it('--all with an event name is a usage error, and nothing is sent', async () => {
    server = await startRecordingServer();
    const r = await runCli(['trigger', '--all', 'catalog.product.created', '--to', server.url, '--secret', 's']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--all sends every event type, so "catalog\.product\.created" would be ignored/);
    oneLine(r.stderr);
    expect(server.requests).toHaveLength(0);
  });

  it('--set with a value that looks like JSON and is not is refused, saying how to send a string', async () => {
    server = await startRecordingServer();
    const r = await runCli([
      'trigger',
      'catalog.product.created',
      '--set',
      'data.quantity={bad',
      '--to',
      server.url,
      '--secret',
      's',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('{bad looks like JSON but does not parse');
    expect(r.stderr).toContain(`--set 'data.quantity="{bad"'`);
    expect(server.requests).toHaveLength(0);
    // The way it names works: the string is sent.
    const quoted = await runCli([
      'trigger',
      'catalog.product.created',
      '--set',
      'data.name="{bad"',
      '--to',
      server.url,
      '--secret',
      's',
    ]);
    expect(quoted.code).toBe(0);
    expect(JSON.parse(server.requests[0]!.body.toString()).data.name).toBe('{bad');
  });

  it('--set event=foo suggests "trigger foo" only when foo is an event type', async () => {
    const unknown = await runCli([
      'trigger',
      'catalog.product.created',
      '--set',
      'event=foo',
      '--to',
      'http://127.0.0.1:9/',
      '--secret',
      's',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toContain('trigger foo');
    expect(unknown.stderr).toContain('trigger the type you mean');
    const known = await runCli([
      'trigger',
      'catalog.product.created',
      '--set',
      'event=customer.cart.added',
      '--to',
      'http://127.0.0.1:9/',
      '--secret',
      's',
    ]);
    expect(known.stderr).toContain('trigger customer.cart.added instead');
  });
});
