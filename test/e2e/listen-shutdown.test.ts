/**
 * `listen` stops within its 5 s grace period whatever holds it up: here an app behind
 * `--forward-to` that never answers (a Python http.server stuck in its handler). What was answered
 * is recorded; the stop line says so.
 */
import { execa } from 'execa';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startListen } from '../helpers/listen.js';
import { until } from '../helpers/serve.js';
import { freePort } from '../helpers/servers.js';
import { skipWithout } from '../helpers/required-program.js';

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
  await until(async () => fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '' }).then(() => true, () => false), 10_000, 'the app is up');
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill('SIGKILL') };
}

function post(url: string, id: string) {
  const body = JSON.stringify({ event: 'customer.cart.added', timestamp: '2026-12-01T10:00:00Z', data: { customer_id: 'cust_1', product_id: 'prod_1', quantity: 1 } });
  const signature = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-webhook-event': 'customer.cart.added', 'x-webhook-delivery': id, 'x-webhook-signature': signature } }).then(
    async (res) => (await res.text(), res.status),
    () => undefined,
  );
}

describe('listen shutdown', () => {
  it.skipIf(skipWithout('python3', ['--version']))('SIGTERM ends it within the 5 s grace period while a forwarded request hangs; what was answered is recorded', async () => {
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
      const history = await runCli(['--json', 'history', '--direction', 'in'], { configDir: listener.configDir });
      expect((JSON.parse(history.stdout) as Array<{ delivery_id: string; status: number }>).find((r) => r.delivery_id === 'dlv_answered')?.status).toBe(200);
    } finally {
      app.stop();
    }
  }, 60_000);
});
