/** `listen --forward-to` against real apps on loopback: what reaches the app, and what comes back. */

import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { type Listener, parseRouteFlag, startListener } from '../../src/receiver/index.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const BODY = '{"event":"customer.cart.added","data":{"product_id":"prod_1"}}';
const open: Array<{ close: () => unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function forwardingListener(appUrl: string): Promise<Listener> {
  const listener = await startListener({
    dbPath: join(tempDir(), 'history.db'),
    port: 0,
    secrets: [SECRET],
    routes: [parseRouteFlag(appUrl, false)],
  });
  open.push(listener);
  return listener;
}

/** An app that answers every request with exactly `head` (a status line and headers) and a small body. */
async function rawApp(statusLine: string): Promise<string> {
  const server = net.createServer((socket) => {
    socket.once('data', () =>
      socket.end(`${statusLine}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`),
    );
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise((r) => server.close(r)) });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hooks`;
}

/** A signed delivery through node:http, which (unlike fetch) sends any Connection header it is given. */
function deliver(listener: Listener, id: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; text: () => Promise<string> }>((resolve, reject) => {
    const req = http.request(listener.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-webhook-event': 'customer.cart.added',
        'x-webhook-delivery': id,
        'x-webhook-signature': sign(BODY, SECRET),
        ...headers,
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: async () => Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

async function recorded(listener: Listener) {
  open.splice(open.indexOf(listener), 1);
  await listener.close();
  const store = HistoryStore.open(listener.dbPath);
  try {
    return store.list({ limit: 100 }).reverse();
  } finally {
    store.close();
  }
}

describe('listen --forward-to', () => {
  it.each([
    ['099', 'HTTP/1.1 099 Odd'],
    ['000', 'HTTP/1.1 000 Nothing'],
    ['999', 'HTTP/1.1 999 Beyond'],
  ])(
    'answers 502 with a reason when the app answers status %s, keeps running, and records it',
    async (status, line) => {
      const listener = await forwardingListener(await rawApp(line));
      const answer = await deliver(listener, `dlv_status_${status}`);
      expect(answer.status).toBe(502);
      expect(await answer.text()).toContain(`answered with status ${Number(status)}, which is not an HTTP status`);
      // Still answering afterwards: the listener did not crash.
      expect((await deliver(listener, `dlv_status_${status}_again`)).status).toBe(502);
      const rows = await recorded(listener);
      expect(rows.map((r) => [r.deliveryId, r.status, r.forwarded])).toEqual([
        [`dlv_status_${status}`, 502, true],
        [`dlv_status_${status}_again`, 502, true],
      ]);
      expect(rows[0]!.error).toMatch(/not an HTTP status \(100–599\)/);
    },
  );

  it('passes an ordinary unusual status (418) on unchanged', async () => {
    const listener = await forwardingListener(await rawApp("HTTP/1.1 418 I'm a teapot"));
    expect((await deliver(listener, 'dlv_teapot')).status).toBe(418);
  });

  it("keeps the sender's X-Forwarded-For / Forwarded claims and the headers its Connection names from the app", async () => {
    const app = await startRecordingServer(() => ({ status: 200, body: 'ok' }));
    open.push(app);
    const listener = await forwardingListener(`${app.url}/hooks`);
    const answer = await deliver(listener, 'dlv_claims', {
      'x-forwarded-for': '10.0.0.1',
      forwarded: 'for=10.0.0.1;proto=https',
      'x-forwarded-host': 'admin.internal',
      'x-forwarded-proto': 'https',
      'x-real-ip': '10.0.0.1',
      connection: 'keep-alive, X-Internal-Auth',
      'x-internal-auth': 'let-me-in',
      'x-tenant': 'acme',
    });
    expect(answer.status).toBe(200);
    const seen = app.requests[0]!.headers;
    for (const name of ['x-forwarded-for', 'forwarded', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'])
      expect(seen[name], name).toBeUndefined();
    expect(seen['x-internal-auth']).toBeUndefined();
    // Ordinary end-to-end headers and the webhook's own still arrive, and the body byte for byte.
    expect(seen['x-tenant']).toBe('acme');
    expect(seen['x-webhook-delivery']).toBe('dlv_claims');
    expect(app.requests[0]!.body.toString()).toBe(BODY);
  });
});
