/**
 * `smoke` against receivers written the way users get them wrong, each a real process from
 * test/fixture-apps/: a re-serialising Express-style app (JavaScript), the platform document's Flask
 * handler as written (Python), one slow on one event, a naive app that processes duplicates
 * twice — and an idempotent correct one (Python) that passes everything. Each gets its verdict
 * and the line that tells its author what to fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CATCH_ALL } from '../../src/smoke/receiver-patterns.js';
import { tempDir } from '../helpers/cli.js';
import { skipWithoutPythonModule, startFixtureFile } from '../helpers/fixture-app.js';
import { parseJUnit } from '../helpers/junit-xml.js';
import { startReceiverProcess } from '../helpers/receiver-process.js';
import { runCli } from '../helpers/run-cli.js';
import { startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const RE_SERIALISED =
  'verifies a re-serialised body, not the raw bytes: accepted the compact payload, rejected the same payload pretty-printed — verify the raw request body';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function receiver(script: string, args: string[] = [], env: Record<string, string> = {}) {
  const started = await startReceiverProcess(script, args, env);
  cleanups.push(() => started.stop());
  return started;
}

function smoke(url: string, extra: string[] = [], dir = tempDir()) {
  return runCli(['--db', join(dir, 'history.db'), 'smoke', '--url', url, '--secret', SECRET, ...extra], {
    configDir: dir,
  });
}

interface JsonCheck {
  id: string;
  verdict: string;
  reason: string;
  warnings: string[];
}
const verdicts = (json: { checks: JsonCheck[] }) => Object.fromEntries(json.checks.map((c) => [c.id, c.verdict]));
const notPassing = (json: { checks: JsonCheck[] }) => json.checks.filter((c) => c.verdict !== 'pass').map((c) => c.id);

describe('a receiver that verifies a re-serialised body (JSON.stringify(req.body))', () => {
  it('fails the raw-body checks with the diagnosis, in the output, --json and JUnit', async () => {
    const app = await receiver('reserialising-app.mjs', [SECRET]);
    const dir = tempDir();
    const junit = join(dir, 'smoke.xml');
    const run = await smoke(app.url, ['--junit', junit], dir);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^FAIL {2}raw-body\.pretty-printed {2}401 {2}\S+ ms {2}/));
    expect(lines.find((l) => l.startsWith('FAIL  raw-body.pretty-printed'))!.endsWith(`  ${RE_SERIALISED}`)).toBe(true);
    // The doctor's verdict leads: which stack re-serialises, and the fix in its words.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^smoke: doctor: reserialised-compact: your receiver computes the HMAC over JSON\.stringify/,
      ),
    );
    expect(lines.join('\n')).not.toMatch(/another secret/);

    const xml = parseJUnit(readFileSync(junit));
    const rawBody = xml.suites.find((s) => s.attrs.name === 'webhooks-cli smoke: raw-body')!;
    expect(
      rawBody.cases.find((c) => c.attrs.classname === 'smoke.raw-body.pretty-printed')!.failure!.attrs.message,
    ).toBe(RE_SERIALISED);

    const json = JSON.parse((await smoke(app.url, ['--json'])).stdout);
    // Every compact payload passes; each reshaping that JSON.stringify undoes fails. Key order
    // survives (JavaScript keeps insertion order), and UTF-8 text is written back the same.
    expect(notPassing(json)).toEqual([
      'raw-body.pretty-printed',
      'raw-body.number-format',
      'raw-body.unicode-escapes',
      'raw-body.trailing-newline',
    ]);
    const reasons = Object.fromEntries(json.checks.map((c: JsonCheck) => [c.id, c.reason]));
    expect(reasons['raw-body.pretty-printed']).toBe(RE_SERIALISED);
    expect(reasons['raw-body.number-format']).toBe(
      RE_SERIALISED.replace('pretty-printed', 'with numbers like 89.90 and 1.0'),
    );
    expect(reasons['raw-body.unicode-escapes']).toBe(
      RE_SERIALISED.replace('pretty-printed', 'with \\u00e9 escapes and \\/'),
    );
    expect(reasons['raw-body.trailing-newline']).toBe(
      RE_SERIALISED.replace('pretty-printed', 'with a trailing newline'),
    );
    expect(json.patterns.map((p: { id: string }) => p.id)).toEqual(['doctor']);
    expect(json.diagnosis).toMatchObject({ verdict: 'broken', cause: 'reserialised-compact' });
  });

  it('--bail stops at that first failure and marks the rest not run', async () => {
    const app = await receiver('reserialising-app.mjs', [SECRET]);
    const run = await smoke(app.url, ['--events', 'catalog.product.created', '--bail', '--concurrency', '1']);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL  ')).map((l) => l.split('  ')[1])).toEqual([
      'raw-body.pretty-printed',
    ]);
    const skipped = lines.filter((l) => l.startsWith('SKIP  '));
    expect(skipped).toHaveLength(9);
    expect(skipped.every((l) => l.endsWith('not run: smoke stopped at the first failure (--bail)'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^smoke: 1 of 14 checks failed \(4 passed, 1 failed, 9 not run in /);
  });
});

describe("the platform document's Flask handler, as written", () => {
  it('answers 200 to everything, and smoke names the catch-all', async () => {
    const app = await receiver('flask_handler.py', [SECRET]);
    const run = await smoke(app.url, ['--events', 'catalog.product.created,customer.purchase.completed']);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL  ')).map((l) => l.split('  ')[1])).toEqual([
      'signature.wrong',
      'signature.missing',
      'signature.altered-body',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^smoke: doctor: accepts-anything: the receiver accepts /));
    expect(CATCH_ALL).toBe(
      "accepts everything — likely a catch-all handler answering 200 (the platform document's error-handling example does this): verify before the try block",
    );
    // Why: the document's verify_signature calls .encode on the body, which is bytes.
    expect(app.stderr()).toContain("AttributeError(\"'bytes' object has no attribute 'encode'\")");
  });
});

describe('receivers with a secret or encoding bug', () => {
  it('a secret read from a file with its trailing newline: every signed delivery 401, and smoke says why', async () => {
    const app = await receiver('idempotent_app.py', [`${SECRET}\n`, join(tempDir(), 'count')]);
    const json = JSON.parse(
      (await smoke(app.url, ['--events', 'catalog.product.created,customer.cart.added', '--json'])).stdout,
    );
    expect(json.ok).toBe(false);
    // Not "another secret": the doctor finds the newline itself.
    expect(json.patterns).toEqual([
      {
        id: 'doctor',
        message: expect.stringMatching(
          /^doctor: secret-whitespace: your receiver verifies with the secret with a trailing newline/,
        ),
      },
    ]);
  });

  it('a body read as latin-1 text: 401 only on the non-ASCII payload, and smoke names it', async () => {
    const app = await receiver('latin1-app.mjs', [SECRET]);
    const run = await smoke(app.url, ['--events', 'catalog.product.created']);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL  ')).map((l) => l.split('  ')[1])).toEqual(['raw-body.non-ascii']);
    expect(lines.find((l) => l.startsWith('FAIL  raw-body.non-ascii'))).toMatch(
      / {2}rejects only the payload with non-ASCII text: the body \(or the secret\) is not handled as UTF-8 bytes — /,
    );
    expect(lines).toContainEqual(expect.stringMatching(/^smoke: doctor: body-decoded-latin1: /));
  });
});

describe('a receiver that assumes events arrive in order', () => {
  it('a 500 to a product deleted before it was created fails; a 404 warns', async () => {
    const failing = await receiver('product-store-app.mjs', [SECRET]);
    const json = JSON.parse((await smoke(failing.url, ['--events', 'catalog.product.created', '--json'])).stdout);
    expect(notPassing(json)).toEqual(['robustness.out-of-order-lifecycle']);
    const lifecycle = json.checks.find((c: JsonCheck) => c.id === 'robustness.out-of-order-lifecycle');
    expect(lifecycle.reason).toMatch(
      /^catalog\.product\.deleted for prod_smoke_[0-9a-f]{12}: answered 500 — events can arrive out of order: a delete for an unknown product is not an error/,
    );

    const warning = await receiver('product-store-app.mjs', [SECRET], { MISSING_STATUS: '404' });
    const run = await smoke(warning.url, ['--events', 'catalog.product.created']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').find((l) => l.includes('robustness.out-of-order-lifecycle'))).toMatch(
      /^WARN {2}robustness\.out-of-order-lifecycle {2}200 {2}\S+ ms {2}catalog\.product\.deleted for prod_smoke_[0-9a-f]{12}: answered 404 — the platform retries any answer but a 2xx/,
    );
    expect(run.stdout.split('\n').at(-1)).toMatch(
      /^smoke: all checks passed \(14 passed, 0 failed, 1 with warnings in /,
    );
  });
});

describe('a receiver slow on one event', () => {
  it("fails the event it answers in 11 s naming the platform's 10 s timeout, warns at 6 s, and costs seconds", async () => {
    const app = await receiver('counting-app.mjs', [SECRET, join(tempDir(), 'log')], {
      SLOW_EVENTS: 'analytics.report.generated=11000,analytics.trend.detected=6000',
    });
    const dir = tempDir();
    const started = performance.now();
    const run = await smoke(app.url, ['--json', '--junit', join(dir, 'r.xml')], dir);
    const elapsed = performance.now() - started;
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(notPassing(json)).toEqual(['delivery.analytics.report.generated', 'delivery.analytics.trend.detected']);
    const slow = json.checks.find((c: JsonCheck) => c.id === 'delivery.analytics.report.generated');
    expect(slow).toMatchObject({
      verdict: 'fail',
      reason:
        "no answer within 10 s (the platform's 10 s timeout: it gives up and retries the delivery) — answer 2xx first and do the work afterwards (a queue)",
    });
    const late = json.checks.find((c: JsonCheck) => c.id === 'delivery.analytics.trend.detected');
    expect(late.verdict).toBe('warn');
    expect(late.warnings).toEqual([
      expect.stringMatching(
        /^answered in \d+(\.\d)? s, over 5 s: close to the 10 s timeout — answer first, process afterwards$/,
      ),
    ]);
    expect(json).toMatchObject({ passed: 28, failed: 1, warned: 1, not_run: 0 });
    const cases = parseJUnit(readFileSync(join(dir, 'r.xml'))).suites.flatMap((s) => s.cases);
    expect(cases.find((c) => c.attrs.classname === 'smoke.delivery.analytics.trend.detected')!.failure).toBeNull();
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toMatch(/<system-out>warning: answered in \d+(\.\d)? s, over 5 s/);
    // The 10 s and the 6 s waits overlapped: one after the other they alone take 16 s.
    expect(elapsed).toBeLessThan(16_000);
  });
});

describe('--processed-count proves each valid delivery was processed once', () => {
  it('a naive app that processes duplicates twice fails with the numbers and their meaning', async () => {
    const log = join(tempDir(), 'processed.log');
    const app = await receiver('counting-app.mjs', [SECRET, log]);
    const run = await smoke(app.url, ['--processed-count', `wc -l < '${log}'`]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    // Each duplicate alone was answered 2xx, as it should be; only the count shows the harm.
    expect(lines.filter((l) => l.startsWith('FAIL  '))).toEqual([
      expect.stringMatching(
        /^FAIL {2}idempotency\.processed-count {2}--- {2}\S+ ms {2}processed 28, expected 26: 2 duplicate deliveries were processed twice — skip a delivery whose X-Webhook-Delivery id was processed before$/,
      ),
    ]);
    expect(lines.find((l) => l.includes('idempotency.concurrent-duplicates'))).toMatch(/^PASS/);
  });

  it('an app that acknowledges deliveries it never processes is told they were dropped', async () => {
    const log = join(tempDir(), 'processed.log');
    const app = await receiver('counting-app.mjs', [SECRET, log], { DROP_PREFIX: 'analytics.' });
    // The probe is an analytics event, so everything but one delivery and the lifecycle pair is dropped.
    const run = await smoke(app.url, [
      '--events',
      'analytics.trend.detected,catalog.product.created',
      '--processed-count',
      `wc -l < '${log}'`,
      '--json',
    ]);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(notPassing(json)).toEqual(['idempotency.processed-count']);
    // 2 events, the retried and the doubled delivery (once each), 6 raw-body forms, the lifecycle pair.
    expect(json.checks.at(-1).reason).toBe(
      'processed 3, expected 12: 9 valid deliveries were dropped — every delivery answered 2xx must be processed',
    );
  });

  it('an idempotent app (Python, verifying the raw bytes) passes everything, the count included', async () => {
    const count = join(tempDir(), 'count');
    const app = await receiver('idempotent_app.py', [SECRET, count]);
    const dir = tempDir();
    const run = await smoke(app.url, ['--processed-count', `cat '${count}'`, '--junit', join(dir, 'r.xml')], dir);
    expect(run.stderr).toBe(`JUnit report written to ${join(dir, 'r.xml')}`);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('PASS  '))).toHaveLength(30);
    expect(lines.at(-1)).toMatch(/^smoke: all checks passed \(30 passed, 0 failed in /);
    const doc = parseJUnit(readFileSync(join(dir, 'r.xml')));
    expect(doc.attrs).toMatchObject({ tests: '30', failures: '0', skipped: '0' });
    expect(
      doc.suites.find((s) => s.attrs.name === 'webhooks-cli smoke: idempotency')!.cases.map((c) => c.attrs.classname),
    ).toEqual([
      'smoke.idempotency.same-delivery-twice',
      'smoke.idempotency.concurrent-duplicates',
      'smoke.idempotency.processed-count',
    ]);
    const json = JSON.parse(
      (await smoke(app.url, ['--events', 'customer.cart.added', '--processed-count', `cat '${count}'`, '--json']))
        .stdout,
    );
    expect(verdicts(json)['idempotency.processed-count']).toBe('pass');
    expect(json.checks.at(-1).reason).toBe(
      'processed 11, as expected: each valid delivery once, duplicates and rejected probes not at all',
    );
  });

  it.each([
    [
      'false',
      /^error: --processed-count command `false` failed \(exit 1\) — fix the command: it must print how many deliveries/,
    ],
    [
      'echo lots',
      /^error: --processed-count command `echo lots` printed "lots", not a whole number — make it print only the count/,
    ],
    ['true', /^error: --processed-count command `true` printed nothing, not a whole number/],
    // A database URL's password is masked, in the command and in what it said.
    [
      "psql postgres://ci:hunter2@127.0.0.1:9/app -c 'x' 2>/dev/null || { echo 'no connection to postgres://ci:hunter2@127.0.0.1:9/app' >&2; exit 3; }",
      /^error: --processed-count command `psql postgres:\/\/ci:\*\*\*\*@127\.0\.0\.1:9\/app .+` failed \(exit 3\): no connection to postgres:\/\/ci:\*\*\*\*@127\.0\.0\.1:9\/app — /,
    ],
    // So is one given as PGPASSWORD=… or mysql's -pPASS, in the command and in what it said.
    [
      "PGPASSWORD=hunter2 mysql -uci -phunter3 -e 'x' 2>/dev/null || { echo 'denied for -phunter3 with PGPASSWORD=hunter2' >&2; exit 4; }",
      /^error: --processed-count command `PGPASSWORD=\*\*\*\* mysql -uci -p\*\*\*\* -e 'x' .+` failed \(exit 4\): denied for -p\*\*\*\* with PGPASSWORD=\*\*\*\* — (?!.*hunter)/,
    ],
  ])(
    'a command that fails or prints no integer (%s) is a usage error naming it, before anything is sent',
    async (command, message) => {
      const server = await startRecordingServer();
      cleanups.push(() => server.close());
      const run = await smoke(`${server.url}/webhook`, ['--processed-count', command]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
      expect(server.requests).toHaveLength(0);
    },
  );
});

describe.skipIf(skipWithoutPythonModule('flask', 'python3-flask'))(
  'a Flask receiver verifying json.dumps(request.json)',
  () => {
    it('smoke leads with the doctor: Python re-serialisation, not another secret', async () => {
      const app = await startFixtureFile('flask_receiver.py', [SECRET]);
      cleanups.push(() => app.stop());
      const run = await smoke(app.url('/webhook-json-dumps'), ['--events', 'catalog.product.created']);
      expect(run.code).toBe(1);
      const patterns = run.stdout.split('\n').filter((l) => l.startsWith('smoke: ') && !l.startsWith('smoke: 1'));
      expect(patterns[0]).toMatch(
        /^smoke: doctor: reserialised-python: your receiver computes the HMAC over Python's json\.dumps\(json\.loads\(body\)\).* Flask request\.get_data\(\)/,
      );
      expect(run.stdout).not.toMatch(/another secret|stray whitespace|latin-1/);
    });
  },
);
