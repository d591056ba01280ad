/**
 * `smoke --fuzz`: receivers with a latent bug on unusual text — a Python one that drops the
 * connection beyond Latin-1, a JavaScript one that answers 500 to what a header cannot carry — are found with a fixed seed, the payload is
 * shrunk, saved, resent by `trigger --data`, and the seed repeats the run; fixed receivers pass.
 */

import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { EventValidator } from '../../src/schemas/event-validator.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { parseJUnit } from '../helpers/junit-xml.js';
import { startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const RECEIVER = new URL('../fixture-apps/audit_log_receiver.py', import.meta.url).pathname;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The Python receiver of test/fixture-apps, on a free port. */
async function pythonReceiver(fixed = false): Promise<string> {
  const child = execa('python3', [RECEIVER, SECRET, join(tempDir(), 'audit.log'), ...(fixed ? ['--fixed'] : [])], {
    reject: false,
    timeout: 60_000,
  });
  cleanups.push(() => (child.kill(), child));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.then((r) => reject(new Error(`receiver exited: ${r.stderr}`)), reject);
  });
  return `http://127.0.0.1:${port}/webhook`;
}

/**
 * A JavaScript receiver that echoes the product id in a response header, which Node refuses for
 * text beyond Latin-1: the handler's catch-all then answers 500. `fixed` encodes the header.
 */
async function headerEchoReceiver(fixed = false): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!verify(body, req.headers['x-webhook-signature'], [SECRET]).valid) return void res.writeHead(401).end();
      try {
        const event = JSON.parse(body.toString('utf8')) as { data: { product_id?: string } };
        const productId = event.data.product_id ?? '-';
        res.setHeader('X-Processed-Product', fixed ? encodeURIComponent(productId) : productId);
        res.writeHead(200).end('OK');
      } catch {
        res.writeHead(fixed ? 400 : 500).end('error');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
}

interface FuzzReport {
  ok: boolean;
  checks: {
    id: string;
    group: string;
    passed: boolean;
    reason: string;
    payload?: string;
    exchanges: { status: number | null }[];
  }[];
}

async function fuzz(url: string, extra: string[], dir = tempDir()) {
  const failures = join(dir, 'failures');
  const result = await spawnCli(
    [
      '--db',
      join(dir, 'history.db'),
      '--json',
      'smoke',
      '--url',
      url,
      '--secret',
      SECRET,
      '--failures-dir',
      failures,
      ...extra,
    ],
    { configDir: dir, timeout: 120_000 },
  );
  const report = JSON.parse(result.stdout) as FuzzReport;
  const check = report.checks.find((c) => c.id === 'fuzz.schema-valid-payloads')!;
  const saved = (() => {
    try {
      return readdirSync(failures).map((name) => join(failures, name));
    } catch {
      return [];
    }
  })();
  return { result, report, check, saved, dir };
}

const beyondLatin1 = (text: string) => [...text].filter((ch) => ch.codePointAt(0)! > 0xff);

describe('smoke --fuzz', () => {
  it('finds the Latin-1 bug of a Python receiver, shrinks it to one character, saves it; trigger --data resends it; the seed repeats it', async () => {
    const url = await pythonReceiver();
    const args = ['--events', 'customer.cart.added', '--fuzz', '50', '--seed', '1'];
    const junitDir = tempDir();
    const first = await fuzz(url, [...args, '--junit', join(junitDir, 'report.xml')]);
    expect(first.result.exitCode).toBe(1);
    expect(first.result.stderr).toContain('fuzz: 50 payloads, seed 1');
    expect(first.check.passed).toBe(false);
    expect(first.check.reason).toMatch(
      /closed the connection before answering to payload \d+ of 50, shrunk in \d+ steps \(\d+ tries\) to \d+ bytes/,
    );
    expect(first.check.reason).toContain('reproduce with --fuzz 50 --seed 1');

    // Saved whole, schema-valid, and shrunk: one character beyond Latin-1, every optional field gone.
    expect(first.saved).toHaveLength(1);
    expect(first.saved[0]).toMatch(/customer\.cart\.added-seed-1\.json$/);
    const bytes = readFileSync(first.saved[0]!);
    const envelope = JSON.parse(bytes.toString('utf8')) as { event: string; data: Record<string, unknown> };
    expect(new EventValidator().validate('customer.cart.added', envelope)).toEqual([]);
    expect(beyondLatin1(bytes.toString('utf8'))).toHaveLength(1);
    expect(Object.keys(envelope.data).sort()).toEqual([
      'cart_id',
      'currency',
      'customer_id',
      'product_id',
      'quantity',
      'unit_price',
    ]);
    expect(bytes.length).toBeLessThan(200);
    expect(first.check.payload).toBe(bytes.toString('utf8'));

    // JUnit reports it like every check.
    const junit = parseJUnit(readFileSync(join(junitDir, 'report.xml')));
    const suite = junit.suites.find((s) => s.attrs.name === 'webhooks-cli smoke: fuzz')!;
    expect(suite.cases[0]!.failure?.attrs.message).toContain('shrunk');

    // trigger --data resends exactly those bytes: the receiver fails again, a recorder sees them unchanged.
    const again = await spawnCli(['trigger', '--data', first.saved[0]!, '--to', url, '--secret', SECRET]);
    expect(again.exitCode).toBe(1);
    const recorder = await startRecordingServer();
    cleanups.push(() => recorder.close());
    const resent = await spawnCli(['trigger', '--data', first.saved[0]!, '--to', recorder.url, '--secret', SECRET]);
    expect(resent.exitCode, resent.stderr).toBe(0);
    expect(recorder.requests[0]!.body.equals(bytes)).toBe(true);
    expect(recorder.requests[0]!.headers['x-webhook-event']).toBe('customer.cart.added');

    // The seed repeats the run: the same shrunk payload.
    const repeated = await fuzz(url, args);
    expect(readFileSync(repeated.saved[0]!).equals(bytes)).toBe(true);
  });

  it('a seed that draws a long list of items (812140160) still shrinks to the one character; the tries stay out of the history; the payload prints wrapped', async () => {
    const url = await pythonReceiver();
    const dir = tempDir();
    const db = join(dir, 'history.db');
    const run = await spawnCli(
      ['--db', db, 'smoke', '--url', url, '--secret', SECRET, '--fuzz', '50', '--seed', '812140160'],
      { configDir: dir, timeout: 120_000, cwd: dir },
    );
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('FAIL  fuzz.schema-valid-payloads'));
    const [, steps, tries, size] = /shrunk in (\d+) steps \((\d+) tries\) to (\d+) bytes/.exec(lines[at]!)!;
    expect(Number(size)).toBeLessThan(400);
    expect(Number(tries)).toBeLessThan(150);
    // The payload on lines of its own, none wider than the report's 100 columns.
    const payload = lines.slice(at + 1).filter((l) => l.startsWith('  '));
    expect(payload.length).toBeGreaterThan(1);
    expect(payload.every((l) => [...l].length <= 100)).toBe(true);
    const text = payload.map((l) => l.slice(2)).join('');
    expect(beyondLatin1(text)).toHaveLength(1);
    expect(Buffer.byteLength(text)).toBe(Number(size));

    // The history: the checks' requests, the fuzz payloads up to the failure and the shrunk one
    // sent again — not each of the tries.
    const rows = JSON.parse(
      (await spawnCli(['--db', db, 'history', '--json', '--limit', '10000'], { configDir: dir })).stdout,
    ) as unknown[];
    expect(rows.length).toBeLessThan(40);
    expect(Number(steps)).toBeGreaterThan(0);
  });

  it('finds a JavaScript receiver that answers 500 to a product id Node refuses in a header', async () => {
    const url = await headerEchoReceiver();
    const { result, check, saved } = await fuzz(url, [
      '--events',
      'catalog.product.created,customer.product.viewed',
      '--fuzz',
      '100',
      '--seed',
      '7',
    ]);
    expect(result.exitCode).toBe(1);
    expect(check.reason).toMatch(/^answered 500 to payload \d+ of 100, shrunk/);
    expect(check.exchanges.map((e) => e.status)).toEqual([500]);
    const envelope = JSON.parse(readFileSync(saved[0]!, 'utf8')) as { data: { product_id: string } };
    // Shrunk to one character a header cannot carry (a control character, or one beyond Latin-1).
    expect([...envelope.data.product_id]).toHaveLength(1);
    expect(envelope.data.product_id).toMatch(/[^\t\x20-\x7e\x80-\xff]/);
  });

  it('fixed receivers pass every check, fuzzing included, and nothing is saved', async () => {
    for (const url of [await pythonReceiver(true), await headerEchoReceiver(true)]) {
      const { result, report, check, saved } = await fuzz(url, ['--fuzz', '60', '--seed', '3']);
      expect(result.exitCode, check?.reason).toBe(0);
      expect(report.ok).toBe(true);
      expect(check).toMatchObject({
        group: 'fuzz',
        passed: true,
        reason: '60 payloads answered 2xx (seed 3; reproduce with --fuzz 60 --seed 3)',
      });
      expect(saved).toEqual([]);
    }
  });

  it('a run without --seed names the seed it used; --seed without --fuzz is a usage error', async () => {
    const url = await headerEchoReceiver(true);
    const { result, check } = await fuzz(url, ['--events', 'customer.cart.added', '--fuzz', '5']);
    const seed = /fuzz: 5 payloads, seed (\d+)/.exec(result.stderr)?.[1];
    expect(seed).toBeDefined();
    expect(check.reason).toContain(`--seed ${seed}`);
    const bad = await spawnCli(['smoke', '--url', url, '--secret', SECRET, '--seed', '4']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('error: --seed is the seed of --fuzz payloads — add --fuzz N');
  });
});
