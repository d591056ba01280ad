/**
 * `doctor` in-process: the example receiver (correct), the re-serialising Express-style app as a
 * process, no receiver at all, and every usage error. Output on a terminal is one line; --verbose
 * adds each request; --json is the SPEC's object; every request is in the history as the doctor's.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCTOR_REQUESTS } from '../../src/doctor/doctor-run.js';
import { CAUSE_IDS } from '../../src/doctor/experiments.js';
import { type ExampleReceiver, startExampleReceiver } from '../fixture-apps/webhook-receiver.js';
import { tempDir } from '../helpers/cli.js';
import { type ReceiverProcess, startReceiverProcess } from '../helpers/receiver-process.js';
import { runCli } from '../helpers/run-cli.js';
import { freePort } from '../helpers/servers.js';

const SECRET = 'whsec_s3cretValue';
let correct: ExampleReceiver;
let reserialising: ReceiverProcess;
beforeAll(async () => {
  [correct, reserialising] = await Promise.all([
    startExampleReceiver(SECRET),
    startReceiverProcess('reserialising-app.mjs', [SECRET]),
  ]);
});
afterAll(() => Promise.all([correct.close(), reserialising.stop()]));

function doctor(args: string[], dir = tempDir()) {
  return runCli(['--db', join(dir, 'history.db'), 'doctor', ...args], { configDir: dir });
}

describe('doctor', () => {
  it('a correct receiver: one line, exit 0, the one accepted delivery processed', async () => {
    const before = correct.processed.length;
    const run = await doctor(['--url', correct.url, '--secret', SECRET]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✓ ok: the receiver verifies the raw bytes with --secret/);
    expect(run.stdout.split('\n')).toHaveLength(1);
    expect(run.stderr).toBe('');
    expect(correct.processed.length - before).toBe(1);
  });

  it('a re-serialising receiver: the cause and the fix on one line, exit 1', async () => {
    const run = await doctor(['--url', reserialising.url, '--secret', SECRET]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✗ reserialised-compact: your receiver computes the HMAC over JSON\.stringify/);
    expect(run.stdout).toContain("— fix: HMAC the raw bytes: Express express.raw({ type: 'application/json' })");
    expect(run.stdout.split('\n')).toHaveLength(1);
    expect(run.stdout).not.toContain(SECRET);
  });

  it('--json: verdict, cause, summary, fix and what was tried; the history holds each request as the doctor’s', async () => {
    const dir = tempDir();
    const run = await doctor(['--url', reserialising.url, '--secret', SECRET, '--json'], dir);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ verdict: 'broken', cause: 'reserialised-compact', event: 'catalog.product.created' });
    expect(typeof json.summary).toBe('string');
    expect(typeof json.fix).toBe('string');
    expect(json.tried[0]).toMatchObject({ hypothesis: 'baseline', status: 401 });
    expect(json.tried.filter((t: { status: number }) => t.status === 200)).toMatchObject([
      { hypothesis: 'reserialised-compact', label: expect.stringContaining('JSON.stringify') },
    ]);
    expect(json.requests).toBe(json.tried.length);
    expect(json.requests).toBeLessThanOrEqual(MAX_DOCTOR_REQUESTS);
    expect(CAUSE_IDS).toContain(json.cause);

    const history = await runCli(['--db', join(dir, 'history.db'), 'history', '--json', '--limit', '100'], {
      configDir: dir,
    });
    const rows = JSON.parse(history.stdout) as Array<{ source: string; delivery_id: string; status: number }>;
    expect(rows).toHaveLength(json.requests);
    expect(rows.every((r) => r.source === 'doctor')).toBe(true);
    expect(new Set(rows.map((r) => r.delivery_id))).toEqual(
      new Set(json.tried.map((t: { delivery_id: string }) => t.delivery_id)),
    );
  });

  it('--verbose: a line per request with its answer and delivery id', async () => {
    const run = await runCli([
      'doctor',
      '--url',
      correct.url,
      '--secret',
      SECRET,
      '--verbose',
      '--event',
      'customer.cart.added',
    ]);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe(`3 deliveries sent to ${correct.url} (customer.cart.added), each in the history:`);
    expect(lines[2]).toMatch(/^ {2}200 {2}baseline .* dlv_[0-9a-f]{24}$/);
    expect(lines[3]).toMatch(/^ {2}401 {2}wrong-signature/);
    expect(lines[4]).toMatch(/^ {2}401 {2}no-signature/);
  });

  it('no receiver: unreachable, exit 1, the reason on stderr', async () => {
    const url = `http://127.0.0.1:${await freePort()}/webhook`;
    const run = await doctor(['--url', url, '--secret', SECRET, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'unreachable', cause: 'unreachable' });
    expect(run.stderr).toMatch(/^error: no answer from the receiver: connection refused/);
  });

  it.each([
    [['--secret', SECRET], /required option '--url <url>'/],
    [['--url', 'localhost:3000', '--secret', SECRET], /^error: --url .*— did you mean --url http:\/\/localhost:3000/],
    [['--url', 'http://127.0.0.1:9/webhook'], /^error: no signing secret — pass --secret/],
    [
      ['--url', 'http://127.0.0.1:9/webhook', '--secret', SECRET, '--event', 'catalog.product.create'],
      /unknown event type "catalog.product.create" — did you mean catalog.product.created/,
    ],
    [['--url', 'http://127.0.0.1:9/webhook', '--secret', SECRET, '--timeout', 'soon'], /--timeout/],
  ])('usage error %j: exit 2, one line', async (args, message) => {
    const run = await doctor(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(1);
  });
});
