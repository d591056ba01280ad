/**
 * `smoke` in-process against real receivers on loopback ports — a correct one
 * (the example receiver written from the platform document), a permissive one, a slow one, a
 * hanging one, one that crashes mid-run, and none at all. JUnit files are read back with an
 * independent XML parser.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { startExampleReceiver } from '../fixture-apps/webhook-receiver.js';
import { tempDir } from '../helpers/cli.js';
import { parseJUnit } from '../helpers/junit-xml.js';
import { runCli } from '../helpers/run-cli.js';
import { freePort, type ReceivedRequest, type Responder, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A receiver that verifies like the platform document says, optionally slow for some events. */
function verifying(delayMs: (req: ReceivedRequest) => number = () => 0): Responder {
  return (req) => {
    const ok = verify(req.body, req.headers['x-webhook-signature'], [SECRET]).valid;
    return { status: ok ? 200 : 401, body: ok ? 'OK' : 'Invalid signature', delayMs: delayMs(req) };
  };
}

async function server(respond: Responder) {
  const s = await startRecordingServer(respond);
  cleanups.push(() => s.close());
  return s;
}

function smoke(url: string, extra: string[] = [], dir = tempDir()) {
  return runCli(['--db', join(dir, 'history.db'), 'smoke', '--url', url, '--secret', SECRET, ...extra], {
    configDir: dir,
  });
}

const failedIds = (json: { checks: Array<{ id: string; passed: boolean }> }) =>
  json.checks.filter((c) => !c.passed).map((c) => c.id);

describe('smoke against a correct receiver', () => {
  it('passes every check with the example receiver, writes a JUnit report and records the history', async () => {
    const receiver = await startExampleReceiver(SECRET);
    cleanups.push(() => receiver.close());
    const dir = tempDir();
    const junit = join(dir, 'reports', 'smoke.xml');
    const run = await smoke(receiver.url, ['--junit', junit], dir);

    expect(run.stderr).toBe(`JUnit report written to ${junit}`);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('PASS  '))).toHaveLength(29);
    expect(lines.at(-1)).toMatch(
      /^smoke: all checks passed \(29 passed, 0 failed in .+\) against http:\/\/127\.0\.0\.1:\d+\/webhook$/,
    );

    // What the receiver saw: 16 events, the probe processed once despite the retry and once
    // despite the two copies at the same moment, six raw-body forms, the lifecycle pair; and
    // the non-JSON body logged, not crashed on.
    expect(receiver.processed).toHaveLength(26);
    expect(receiver.errors).toHaveLength(1);

    const doc = parseJUnit(readFileSync(junit));
    expect(doc.attrs).toMatchObject({ tests: '29', failures: '0', errors: '0', skipped: '0' });
    expect(doc.suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures])).toEqual([
      ['webhooks-cli smoke: delivery', '16', '0'],
      ['webhooks-cli smoke: signature', '3', '0'],
      ['webhooks-cli smoke: raw-body', '6', '0'],
      ['webhooks-cli smoke: idempotency', '2', '0'],
      ['webhooks-cli smoke: robustness', '2', '0'],
    ]);
    const caseTimes = doc.suites.flatMap((s) => s.cases.map((c) => Number(c.attrs.time)));
    expect(caseTimes.every((t) => t >= 0 && t < 10)).toBe(true);
    expect(Number(doc.attrs.time)).toBeCloseTo(
      caseTimes.reduce((a, b) => a + b, 0),
      2,
    );
    // Each case carries the time it started, in run order, not the run's start.
    const caseStarts = doc.suites.flatMap((s) => s.cases.map((c) => Date.parse(`${c.attrs.timestamp}Z`)));
    expect(caseStarts.every((t, i) => Number.isFinite(t) && (i === 0 || t >= caseStarts[i - 1]!))).toBe(true);
    expect(new Set(caseStarts).size).toBeGreaterThan(1);

    const history = await runCli(
      ['--db', join(dir, 'history.db'), '--json', 'history', '--direction', 'out', '--limit', '100'],
      { configDir: dir },
    );
    const rows = JSON.parse(history.stdout) as Array<{ source: string; status: number; delivery_id: string }>;
    expect(rows).toHaveLength(32);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['smoke']));
    expect(rows.filter((r) => r.status === 401)).toHaveLength(3);
  });

  it('checks only the chosen events, and --json prints nothing but the report', async () => {
    const receiver = await server(verifying());
    const run = await smoke(`${receiver.url}/hooks`, [
      '--events',
      'customer.cart.added,catalog.product.created',
      '--events',
      'customer.cart.added',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      ok: true,
      total: 15,
      passed: 15,
      failed: 0,
      events: ['customer.cart.added', 'catalog.product.created'],
    });
    expect(json.checks.map((c: { id: string }) => c.id).slice(0, 3)).toEqual([
      'delivery.customer.cart.added',
      'delivery.catalog.product.created',
      'signature.wrong',
    ]);
    // The probes use the first event named (the lifecycle is a product's by nature).
    const probes = json.checks.filter(
      (c: { group: string; id: string }) => c.group !== 'delivery' && c.id !== 'robustness.out-of-order-lifecycle',
    );
    expect(probes.flatMap((c: { exchanges: Array<{ event: string }> }) => c.exchanges.map((e) => e.event))).toEqual(
      Array(14).fill('customer.cart.added'),
    );
    expect(receiver.requests.every((r) => r.url === '/hooks')).toBe(true);
  });

  it('sends credentials in the URL but never prints the password', async () => {
    const receiver = await server((req) => ({
      status: req.headers.authorization === `Basic ${Buffer.from('ci:hunter2').toString('base64')}` ? 200 : 403,
    }));
    const dir = tempDir();
    const url = `${receiver.url.replace('http://', 'http://ci:hunter2@')}/webhook`;
    const run = await smoke(url, ['--events', 'customer.cart.added', '--junit', join(dir, 'r.xml')], dir);
    // Every probe got 200 (the receiver checks only the password), so the signature checks fail.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PASS  delivery.customer.cart.added  200');
    const printed = run.stdout + run.stderr + readFileSync(join(dir, 'r.xml'), 'utf8');
    expect(printed).toContain('http://ci:****@127.0.0.1');
    expect(printed).not.toContain('hunter2');
  });
});

describe('smoke against receivers that fall short', () => {
  it('fails the signature checks of a receiver that accepts everything', async () => {
    const receiver = await server(() => ({ status: 200, body: 'OK <always> & "forever"' }));
    const dir = tempDir();
    const junit = join(dir, 'smoke.xml');
    const run = await smoke(receiver.url, ['--junit', junit, '--json'], dir);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: 3 of 29 smoke checks failed against ${receiver.url}/`);
    const json = JSON.parse(run.stdout);
    expect(failedIds(json)).toEqual(['signature.wrong', 'signature.missing', 'signature.altered-body']);
    expect(json.checks.find((c: { id: string }) => c.id === 'signature.missing').reason).toMatch(
      /^answered 200: the receiver accepted it/,
    );
    // The doctor confirms what the statuses suggest, and its verdict replaces the guess.
    expect(json.patterns.map((p: { id: string }) => p.id)).toEqual(['doctor']);
    expect(json.diagnosis).toMatchObject({ verdict: 'broken', cause: 'accepts-anything', requests: 3 });

    const doc = parseJUnit(readFileSync(junit));
    expect(doc.attrs).toMatchObject({ tests: '29', failures: '3' });
    const signature = doc.suites.find((s) => s.attrs.name === 'webhooks-cli smoke: signature')!;
    expect(signature.attrs).toMatchObject({ tests: '3', failures: '3' });
    expect(signature.cases.map((c) => c.failure?.attrs.type)).toEqual(['status', 'status', 'status']);
    // The receiver's own words travel into the report, escaped.
    expect(signature.cases[0]!.failure!.text).toContain('response: OK <always> & "forever"');
  });

  it('does not credit a receiver with another secret for rejecting bad signatures', async () => {
    const receiver = await server((req) => ({
      status: verify(req.body, req.headers['x-webhook-signature'], ['other-secret']).valid ? 200 : 401,
    }));
    const run = await smoke(receiver.url, ['--events', 'customer.cart.added', '--json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.checks.map((c: { id: string; verdict: string }) => [c.id, c.verdict])).toEqual([
      ['delivery.customer.cart.added', 'fail'],
      ['signature.wrong', 'fail'],
      ['signature.missing', 'fail'],
      ['signature.altered-body', 'fail'],
      ['raw-body.pretty-printed', 'fail'],
      ['raw-body.key-order', 'fail'],
      ['raw-body.number-format', 'fail'],
      ['raw-body.non-ascii', 'fail'],
      ['raw-body.unicode-escapes', 'fail'],
      ['raw-body.trailing-newline', 'fail'],
      ['idempotency.same-delivery-twice', 'fail'],
      ['idempotency.concurrent-duplicates', 'fail'],
      ['robustness.non-json-body', 'pass'],
      // A 401 to events that arrive out of order is retried, not lost: a warning.
      ['robustness.out-of-order-lifecycle', 'warn'],
    ]);
    expect(json.checks[0].reason).toMatch(/^answered 401 — .*same secret/);
    expect(json.checks[1].reason).toMatch(
      /^answered 401, but that proves nothing: delivery\.customer\.cart\.added failed too \(answered 401/,
    );
    // Not "re-serialised": the compact payload was rejected too.
    expect(json.checks[4].reason).toMatch(/^answered 401 — compute the HMAC over the raw request body/);
    // "Another secret" only once the doctor has ruled out every other way to fail.
    expect(json.patterns).toEqual([
      {
        id: 'doctor',
        message: expect.stringMatching(/^doctor: wrong-secret: the receiver rejected all \d+ experiments/),
      },
    ]);
    expect(json.diagnosis.cause).toBe('wrong-secret');
  });

  it('reports the slow events as timeouts and goes on with the rest', async () => {
    const slow = ['analytics.report.generated', 'analytics.threshold.exceeded'];
    const receiver = await server(
      verifying((req) => (slow.includes(String(req.headers['x-webhook-event'])) ? 3_000 : 0)),
    );
    const started = performance.now();
    const run = await smoke(receiver.url, ['--timeout', '600ms', '--json']);
    const elapsed = performance.now() - started;

    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(failedIds(json)).toEqual(['delivery.analytics.report.generated', 'delivery.analytics.threshold.exceeded']);
    for (const check of json.checks.filter((c: { passed: boolean }) => !c.passed)) {
      expect(check.reason).toMatch(
        /^no answer within 600 ms \(--timeout; the platform gives up after 10 s and retries the delivery\)/,
      );
      expect(check.latency_ms).toBeGreaterThanOrEqual(599);
      expect(check.latency_ms).toBeLessThan(2_000);
    }
    expect(json.passed).toBe(27);
    // Two timeouts of 600 ms, not two waits of 3 s.
    expect(elapsed).toBeLessThan(9_000);
  });

  it('stops after 3 time-outs in a row from a receiver that never answers, and marks the rest not run', async () => {
    const receiver = await server(() => ({ status: 200, delayMs: 60_000 }));
    const dir = tempDir();
    const run = await smoke(
      receiver.url,
      ['--events', 'catalog.product.created', '--timeout', '150ms', '--junit', join(dir, 'r.xml')],
      dir,
    );
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    const timedOut = lines.filter((l) => /^FAIL {2}\S+ {2}timeout {2}\d+ ms {2}no answer within 150 ms/.test(l)).length;
    const skipped = lines.filter((l) =>
      /^SKIP {2}\S+ {2}--- {2}.+not run: the receiver is not answering in time/.test(l),
    ).length;
    // At least the three in a row; the checks already in flight (4 at a time) finish too.
    expect(timedOut).toBeGreaterThanOrEqual(3);
    expect(timedOut + skipped).toBe(14);
    expect(lines).toContain(
      'smoke: the receiver is not answering in time — 3 checks in a row got no answer within 150 ms, so smoke stopped',
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(`^smoke: ${timedOut} of 14 checks failed \\(0 passed, ${timedOut} failed, ${skipped} not run in `),
    );
    const doc = parseJUnit(readFileSync(join(dir, 'r.xml')));
    expect(doc.attrs).toMatchObject({ tests: '14', failures: String(timedOut), skipped: String(skipped) });
    const cases = doc.suites.flatMap((s) => s.cases);
    expect(cases.filter((c) => c.failure).map((c) => c.failure!.attrs.type)).toEqual(Array(timedOut).fill('timeout'));
    expect(cases.filter((c) => c.skipped)).toHaveLength(skipped);
  });

  it('reports a receiver that crashes mid-run, without crashing itself', async () => {
    // A real process that dies while handling its fifth request.
    const crashing: ResultPromise = execa(
      process.execPath,
      [
        '-e',
        `
      const http = require('node:http');
      let seen = 0;
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          if (++seen === 5) process.exit(3);
          res.writeHead(200); res.end('OK');
        });
      });
      server.listen(0, '127.0.0.1', () => console.log(server.address().port));
      setTimeout(() => process.exit(0), 20000);
    `,
      ],
      { reject: false, timeout: 25_000 },
    );
    cleanups.push(() => crashing.kill());
    const port = await new Promise<string>((resolve) =>
      crashing.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );

    const dir = tempDir();
    // One check at a time, so "the fifth request" is a known check.
    const run = await smoke(
      `http://127.0.0.1:${port}/webhook`,
      [
        '--concurrency',
        '1',
        '--events',
        'catalog.product.created,catalog.product.updated,catalog.product.deleted,customer.cart.added,customer.product.viewed,search.zero_results',
        '--junit',
        join(dir, 'r.xml'),
      ],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 4).every((l) => l.startsWith('PASS  '))).toBe(true);
    expect(lines[4]).toMatch(
      /^FAIL {2}delivery\.customer\.product\.viewed {2}reset {2}.+closed the connection before answering/,
    );
    // The next request finds the process gone, or (racing its exit) a socket being torn down.
    expect(lines[5]).toMatch(
      /^FAIL {2}delivery\.search\.zero_results {2}(refused|reset) {2}.+(connection refused by 127\.0\.0\.1:\d+ — is the receiver running on that port\?|closed the connection before answering)/,
    );
    expect(lines.find((l) => l.includes('robustness.non-json-body'))).toMatch(
      /^FAIL {2}robustness\.non-json-body {2}refused {2}/,
    );
    expect(lines.at(-1)).toMatch(/^smoke: 15 of 19 checks failed/);
    expect(parseJUnit(readFileSync(join(dir, 'r.xml'))).attrs).toMatchObject({ tests: '19', failures: '15' });
    expect((await crashing).exitCode).toBe(3);
  });

  it('a receiver that never accepts a connection within --wait is one error line (exit 1), and every report says so', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhook`;
    const dir = tempDir();
    const run = await smoke(url, ['--wait', '300ms', '--junit', join(dir, 'r.xml')], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const said = `nothing accepted a connection at ${url} within 300 ms (--wait), so no check was run — is the receiver running on that port?`;
    const lines = run.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error:'))).toEqual([`error: ${said}`]);
    expect(lines.filter((l) => !l.startsWith('waiting up to') && !l.startsWith('JUnit report written'))).toHaveLength(
      1,
    );
    const xml = readFileSync(join(dir, 'r.xml'), 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(29);
    expect(xml.match(/<failure /g)).toHaveLength(29);
    expect(xml).toContain('type="not-run"');

    const json = JSON.parse(
      (await smoke(url, ['--events', 'catalog.product.created', '--wait', '300ms', '--json'])).stdout,
    );
    expect(json).toMatchObject({
      ok: false,
      receiver_reachable: false,
      unreachable: said,
      passed: 0,
      failed: 14,
      total: 14,
    });
    expect(
      json.checks.every(
        (c: { passed: boolean; reason: string; exchanges: unknown[] }) =>
          !c.passed && c.reason === said && c.exchanges.length === 0,
      ),
    ).toBe(true);
  });

  it('without --wait, a refused first connection is the same one line', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhook`;
    const run = await smoke(url, []);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      `error: connection refused at ${url}, so no check was run — is the receiver running on that port? (--wait 30s waits for one that is still starting)`,
    );
  });
});

describe('smoke usage errors (exit 2)', () => {
  it.each([
    [
      ['--url', 'ftp://127.0.0.1/x', '--secret', 's'],
      /^error: --url must be an http\(s\) URL, not ftp: — e\.g\. --url http:/,
    ],
    [['--url', 'not a url', '--secret', 's'], /^error: --url "not a url" is not a URL/],
    [
      ['--url', 'http://127.0.0.1:9/webhook', '--secret', 's', '--events', 'catalog.product.creatd'],
      /^error: unknown event type "catalog\.product\.creatd" — did you mean catalog\.product\.created\?/,
    ],
    [['--url', 'http://127.0.0.1:9/webhook'], /^error: no signing secret — pass --secret/],
    [
      ['--url', 'http://127.0.0.1:9/webhook', '--secret', 's', '--timeout', 'soon'],
      /option '--timeout <duration>' argument 'soon' is invalid/,
    ],
    [['--url', 'http://127.0.0.1:9/webhook', '--secret', 's', '--junit', '.'], /^error: --junit \. is a folder/],
  ])('smoke %j', async (args, message) => {
    const dir = tempDir();
    const run = await runCli(['smoke', ...args], { configDir: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(message);
    expect(run.stderr).not.toMatch(/\bat .+\.js:\d+/);
    expect(run.stdout).toBe('');
  });
});
