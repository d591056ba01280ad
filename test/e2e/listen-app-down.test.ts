/**
 * `listen --forward-to … --app-down hold` as a real process in front of apps written as users
 * write them (Python's http.server, Node's http), each stopped and started again twice while 500
 * signed deliveries arrive one after another: the sender always gets 200 or 202, and the app
 * receives every delivery once, in the order they were sent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { MAX_PASS_ON_TRIES } from '../../src/receiver/app-down-queue.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { startListen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { freePort } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 'app-down-secret';
const APPS = fileURLToPath(new URL('../fixture-apps/', import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The app on `port`, appending each delivery id it processes to `log`; `stop` sends SIGTERM and waits. */
async function startApp(script: string, port: number, log: string): Promise<{ stop: () => Promise<void> }> {
  const program = script.endsWith('.py') ? 'python3' : process.execPath;
  const child: ResultPromise = execa(program, [APPS + script, SECRET, log, String(port)], {
    reject: false,
    timeout: 120_000,
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    void child.then((r) => reject(new Error(`${script} exited early (${r.exitCode}): ${r.stderr}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
  };
  cleanups.push(() => child.kill('SIGKILL'));
  return { stop };
}

function deliver(url: string, id: string) {
  const body = JSON.stringify({
    event: 'customer.purchase.completed',
    timestamp: '2026-01-01T00:00:00Z',
    data: { id },
  });
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': 'customer.purchase.completed',
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, SECRET),
    },
  });
}

const skipPython = skipWithout('python3', ['--version']);

describe('listen --app-down hold', () => {
  it.each([
    ['Python (http.server)', 'order_events_app.py', skipPython],
    ['Node (http)', 'order-events-app.mjs', false],
  ])(
    'brings all 500 deliveries to a %s app stopped and started twice, once each, in order',
    async (_name, script, skip) => {
      if (skip) return;
      const dir = tempDir();
      const log = join(dir, 'processed.log');
      writeFileSync(log, '');
      const port = await freePort();
      let app = await startApp(script, port, log);
      const listener = await startListen([
        '--no-tui',
        '--secret',
        SECRET,
        '--forward-to',
        `http://127.0.0.1:${port}/webhook`,
        '--app-down',
        'hold',
      ]);
      cleanups.push(() => listener.stop());

      const ids = Array.from({ length: 500 }, (_, n) => `dlv_order_${String(n).padStart(3, '0')}`);
      const statuses = new Map<number, number>();
      for (const [n, id] of ids.entries()) {
        if (n === 100 || n === 300) await app.stop();
        if (n === 200 || n === 400) app = await startApp(script, port, log);
        const res = await deliver(listener.url, id);
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
      // Answered 200 by the app, or 202 by listen holding it for the app: never a failure.
      expect([...statuses.keys()].sort()).toEqual([200, 202]);
      expect(statuses.get(202)).toBeGreaterThanOrEqual(200);

      const processed = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
      await until(() => processed().length >= ids.length, 30_000, 'every delivery processed');
      expect(processed()).toEqual(ids);

      const stopped = await listener.stop();
      expect(stopped.stderr).toContain('app down: holding deliveries (answered 202) and retrying the app with backoff');
      expect(stopped.stderr).toContain('app back: every held delivery passed on, in arrival order');
      expect(stopped.stderr).toMatch(/stopped: 500 requests received, all recorded in \S+$/m);
      // In the history: the held ones are marked passed on, none still held.
      const history = await spawnCli(['--json', 'history', '--limit', '1000', '--db', listener.dbPath]);
      const rows = JSON.parse(history.stdout) as Array<{
        status: number;
        app_held: boolean | null;
        forwarded: boolean;
      }>;
      expect(rows).toHaveLength(500);
      const held = rows.filter((r) => r.status === 202);
      expect(held).toHaveLength(statuses.get(202)!);
      expect(held.every((r) => r.app_held === false && r.forwarded === true)).toBe(true);
    },
  );

  it('passes on, at the next start, what was still held when listen stopped', async () => {
    const dir = tempDir();
    const log = join(dir, 'processed.log');
    writeFileSync(log, '');
    const port = await freePort();
    const args = [
      '--no-tui',
      '--secret',
      SECRET,
      '--forward-to',
      `http://127.0.0.1:${port}/webhook`,
      '--app-down',
      'hold',
    ];
    const first = await startListen(args);
    cleanups.push(() => first.stop());
    for (let n = 0; n < 5; n++) expect((await deliver(first.url, `dlv_kept_${n}`)).status).toBe(202);
    const stopped = await first.stop();
    expect(stopped.stderr).toContain('5 held for the app were not passed on yet');

    await startApp('order-events-app.mjs', port, log);
    const second = await startListen(args, { configDir: first.configDir });
    cleanups.push(() => second.stop());
    await until(() => readFileSync(log, 'utf8').split('\n').filter(Boolean).length === 5, 15_000, 'passed on');
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([0, 1, 2, 3, 4].map((n) => `dlv_kept_${n}`));
  });

  it('an app that comes back answering 500 to a held delivery: retried, then said in red and kept in the history with its answer', async () => {
    const port = await freePort();
    const listen = await startListen([
      '--no-tui',
      '--no-inspect',
      '--secret',
      SECRET,
      '--forward-to',
      `http://127.0.0.1:${port}/webhook`,
      '--app-down',
      'hold',
    ]);
    cleanups.push(() => listen.stop());
    expect((await deliver(listen.url, 'dlv_refused')).status).toBe(202);
    let tries = 0;
    const app = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        tries += 1;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"app":"boom"}');
      });
    });
    await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => app.close(resolve)));
    let stderr = '';
    listen.process.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until(() => stderr.includes('app refused held delivery'), 30_000, 'the refusal line');
    expect(tries).toBe(MAX_PASS_ON_TRIES);
    expect(stderr).toContain(
      'app refused held delivery dlv_refused: passed on to the app, which answered 500 ({"app":"boom"}) — not retried further',
    );
    expect(stderr.indexOf('app back:')).toBeLessThan(stderr.indexOf('app refused held delivery'));
    const stopped = await listen.stop();
    expect(stopped.exitCode).toBe(0);
    const shown = await spawnCli(['--json', 'history', 'show', 'dlv_refused'], { configDir: listen.configDir });
    const row = JSON.parse(shown.stdout);
    expect(row).toMatchObject({
      status: 202,
      error: 'passed on to the app, which answered 500 ({"app":"boom"})',
      app_held: false,
      forwarded: true,
    });
  });

  it('is a usage error without an app to forward to', async () => {
    const result = await spawnCli(['listen', '--port', '0', '--secret', SECRET, '--app-down', 'hold']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^error: --app-down hold keeps deliveries for an app, and there is none to forward to — /,
    );
  });
});
