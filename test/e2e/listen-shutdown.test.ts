/**
 * `listen` stops within its 5 s grace period whatever holds it up: an app behind `--forward-to`
 * that never answers (a Python http.server stuck in its handler), or a database another process
 * keeps locked. What was answered is recorded or spooled; the stop line says which and where.
 */

import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { startListen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { freePort } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';

/** A single-threaded Python app that answers its first two requests and then hangs in the third. */
async function stuckApp() {
  const port = await freePort();
  const code = `
import http.server, time
class App(http.server.BaseHTTPRequestHandler):
    seen = 0
    def do_POST(self):
        self.rfile.read(int(self.headers.get('content-length', 0)))
        App.seen += 1
        if App.seen > 2:
            time.sleep(120)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'ok')
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', ${port}), App).serve_forever()
`;
  const child = execa('python3', ['-c', code], { reject: false, timeout: 60_000 });
  await until(
    async () =>
      fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '' }).then(
        () => true,
        () => false,
      ),
    10_000,
    'the app is up',
  );
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGKILL') };
}

function post(url: string, id: string) {
  const body = JSON.stringify({
    event: 'customer.cart.added',
    timestamp: '2026-12-01T10:00:00Z',
    data: { customer_id: 'cust_1', product_id: 'prod_1', quantity: 1 },
  });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': 'customer.cart.added',
      'x-webhook-delivery': id,
      'x-webhook-signature': signature,
    },
  }).then(
    async (res) => (await res.text(), res.status),
    () => undefined,
  );
}

describe('listen shutdown', () => {
  it.skipIf(skipWithout('python3', ['--version']))(
    'SIGTERM ends it within the 5 s grace period while a forwarded request hangs; what was answered is recorded',
    async () => {
      const app = await stuckApp();
      try {
        // The app's first request was the readiness probe: one more is answered, the next hangs.
        const listener = await startListen(['--secret', SECRET, '--forward-to', app.url, '--forward-timeout', '60s']);
        expect(await post(listener.url, 'dlv_answered')).toBe(200);
        const hanging = post(listener.url, 'dlv_hanging');
        await new Promise((r) => setTimeout(r, 300));
        const signalled = Date.now();
        const result = await listener.stop('SIGTERM');
        expect(Date.now() - signalled).toBeLessThan(5_000);
        expect(result.exitCode).toBe(0);
        expect(result.stderr).toMatch(/stopped: \d+ requests? received, all recorded in /);
        expect(await hanging).not.toBe(200);
        const history = await spawnCli(['--json', 'history', '--direction', 'in'], { configDir: listener.configDir });
        expect(
          (JSON.parse(history.stdout) as Array<{ delivery_id: string; status: number }>).find(
            (r) => r.delivery_id === 'dlv_answered',
          )?.status,
        ).toBe(200);
      } finally {
        app.stop();
      }
    },
    60_000,
  );

  it.skipIf(skipWithout('python3', ['--version']))(
    'a second SIGTERM ends the wait for the hanging request at once, still with the stop line',
    async () => {
      const app = await stuckApp();
      try {
        const listener = await startListen(['--secret', SECRET, '--forward-to', app.url, '--forward-timeout', '60s']);
        expect(await post(listener.url, 'dlv_answered')).toBe(200);
        const hanging = post(listener.url, 'dlv_hanging');
        await new Promise((r) => setTimeout(r, 300));
        let stderr = '';
        listener.process.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        const signalled = Date.now();
        listener.process.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 200));
        const result = await listener.stop('SIGTERM');
        // Well before the first signal's wait for answers (4 of the 5 s) would have ended.
        expect(Date.now() - signalled).toBeLessThan(3_500);
        expect(result.exitCode).toBe(0);
        expect(stderr + result.stderr).toMatch(/stopped: 1 request received, all recorded in /);
        await hanging;
      } finally {
        app.stop();
      }
    },
    60_000,
  );

  it('a database locked by another process throughout: SIGTERM still ends it within the grace period, every answered request in the spool, imported once the lock is gone', async () => {
    const configDir = tempDir();
    const db = join(configDir, 'history.db');
    const listener = await startListen(['--secret', SECRET], { configDir });
    // Another process's long write transaction (here: this one's), held through the shutdown.
    const other = new Database(db);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => post(listener.url, `dlv_locked_${i}`)));
      expect(statuses.every((s) => s === 200)).toBe(true);
      const signalled = Date.now();
      const result = await listener.stop('SIGTERM');
      expect(Date.now() - signalled).toBeLessThan(5_000);
      const stop =
        /stopped: 100 requests received; 0 recorded in .+?, 100 kept in (\S+) until the database is free$/m.exec(
          result.stderr,
        );
      expect(stop, result.stderr).not.toBeNull();
      expect(existsSync(stop![1]!)).toBe(true);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const history = await spawnCli(['--json', 'history', '--direction', 'in', '--limit', '1000'], { configDir });
    expect((JSON.parse(history.stdout) as Array<{ delivery_id: string }>).map((r) => r.delivery_id).sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => `dlv_locked_${i}`).sort(),
    );
  }, 60_000);
});
