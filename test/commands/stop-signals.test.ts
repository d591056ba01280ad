/**
 * Long-running commands in-process: the stop signal comes through `main`'s io (as the entry wires
 * SIGINT, SIGTERM and SIGHUP), so listen, serve, relay and an interrupted trigger drain and
 * return their exit code without a process of their own.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { parseJUnit } from '../helpers/junit-xml.js';
import { runCli, stopSignals } from '../helpers/run-cli.js';
import { startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';

/** Runs a long-running command until its JSON ready line names a port; returns that port and the run. */
async function startInProcess(argv: string[], configDir = tempDir()) {
  const signals = stopSignals();
  let out = '';
  const run = runCli(argv, { configDir, signals: signals.source, onStdout: (text) => (out += text) });
  const port = await until(() => {
    const match = /127\.0\.0\.1:(\d+)/.exec(out);
    return match ? Number(match[1]) : undefined;
  });
  return { port, run, stop: signals.send, output: () => out };
}

function signedPost(url: string, body: string, delivery: string): Promise<Response> {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-signature': signature,
      'x-webhook-event': 'catalog.product.created',
      'x-webhook-delivery': delivery,
    },
  });
}

describe('stop signals through the io', () => {
  it('listen records what it answered, then stops on SIGTERM and returns 0', async () => {
    const configDir = tempDir();
    const listen = await startInProcess(['--json', 'listen', '--port', '0', '--secret', SECRET, '--no-tui'], configDir);
    const body = '{"event":"catalog.product.created","timestamp":"2026-01-01T00:00:00Z","data":{}}';
    const answer = await signedPost(`http://127.0.0.1:${listen.port}/webhook`, body, 'dlv_in_process');
    expect(answer.status).toBe(200);
    listen.stop('SIGTERM');
    const result = await listen.run;
    expect(result.code).toBe(0);
    const history = await runCli(['--json', 'history'], { configDir });
    expect(JSON.parse(history.stdout).map((row: { delivery_id: string }) => row.delivery_id)).toEqual([
      'dlv_in_process',
    ]);
  });

  it('serve and relay stop on SIGINT and return 0', async () => {
    for (const [argv, path] of [
      [['--json', 'serve', '--port', '0'], '/api/v1/openapi.json'],
      [['--json', 'relay', '--port', '0'], '/healthz'],
    ] as const) {
      const server = await startInProcess([...argv]);
      const answer = await fetch(`http://127.0.0.1:${server.port}${path}`);
      await answer.arrayBuffer();
      expect(answer.status, path).toBe(200);
      server.stop('SIGINT');
      expect((await server.run).code, argv.join(' ')).toBe(0);
    }
  });

  it('trigger interrupted by Ctrl-C stops sending, prints the partial summary and exits 130', async () => {
    const receiver = await startRecordingServer(() => ({ status: 200, delayMs: 50 }));
    try {
      const signals = stopSignals();
      const run = runCli(
        [
          'trigger',
          'catalog.product.created',
          '--count',
          '400',
          '--concurrency',
          '2',
          '--to',
          receiver.url,
          '--secret',
          SECRET,
        ],
        { signals: signals.source },
      );
      await until(() => receiver.requests.length >= 5 || undefined);
      signals.send('SIGINT');
      const result = await run;
      expect(result.code).toBe(130);
      expect(receiver.requests.length).toBeLessThan(400);
      expect(result.stderr).toMatch(/interrupted/i);
    } finally {
      await receiver.close();
    }
  });

  it('smoke interrupted by Ctrl-C prints the partial summary, writes the JUnit file with the rest not run, exits 130', async () => {
    // Slow answers: a few checks finish before the signal, most do not start.
    const receiver = await startRecordingServer(() => ({ status: 200, delayMs: 150 }));
    try {
      const junit = join(tempDir(), 'reports', 'smoke.xml');
      const smoke = (extra: string[]) => {
        const signals = stopSignals();
        const run = runCli(
          ['smoke', '--url', receiver.url, '--secret', SECRET, '--concurrency', '1', '--junit', junit, ...extra],
          { signals: signals.source },
        );
        return { run, stop: signals.send };
      };

      const lines = smoke([]);
      await until(() => receiver.requests.length >= 3 || undefined);
      lines.stop('SIGINT');
      const plain = await lines.run;
      expect(plain.code).toBe(130);
      const out = plain.stdout.split('\n');
      expect(out.filter((l) => l.startsWith('PASS  ')).length).toBeGreaterThanOrEqual(2);
      const skipped = out.filter((l) => l.startsWith('SKIP  '));
      expect(skipped.length).toBeGreaterThan(10);
      expect(skipped.every((l) => l.endsWith('not run: smoke was interrupted before this check finished'))).toBe(true);
      expect(out.at(-1)).toMatch(/^smoke: interrupted, 0 of 29 checks failed \(\d+ passed, 0 failed, \d+ not run in /);
      expect(plain.stderr).toMatch(/^interrupted: \d+ of 29 checks finished, the rest reported as not run/m);
      const doc = parseJUnit(readFileSync(junit));
      expect(Number(doc.attrs.tests)).toBe(29);
      expect(Number(doc.attrs.skipped)).toBe(skipped.length);
      expect(Number(doc.attrs.failures)).toBe(0);

      const sentBefore = receiver.requests.length;
      const json = smoke(['--json']);
      await until(() => receiver.requests.length >= sentBefore + 3 || undefined);
      json.stop('SIGTERM');
      const report = await json.run;
      expect(report.code).toBe(143);
      const parsed = JSON.parse(report.stdout) as {
        ok: boolean;
        interrupted: boolean;
        stopped: string;
        not_run: number;
        total: number;
      };
      expect(parsed).toMatchObject({ ok: false, interrupted: true, stopped: 'interrupted', total: 29 });
      expect(parsed.not_run).toBeGreaterThan(10);
    } finally {
      await receiver.close();
    }
  });
});
