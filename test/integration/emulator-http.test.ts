/**
 * The emulator's HTTP front against requests a browser page or a stranger can make.
 *
 * DNS rebinding against `serve`: a page elsewhere can send requests to 127.0.0.1 under its own name,
 * but not with a loopback Host. The emulator on loopback answers only loopback Hosts, before the
 * token check, so such a page can neither create a webhook nor read deliveries back.
 */
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../src/emulator/emulator.js';
import { tempDir } from '../helpers/cli.js';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function call(url: string, method: string, path: string, host: string, body?: unknown) {
  return new Promise<{ status: number; json: { error?: { code: string; message: string } } }>((resolve, reject) => {
    const req = http.request(new URL(path, url), {
      method,
      headers: { host, authorization: 'Bearer anything', 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('serve and the Host header', () => {
  it('on loopback, refuses a request whose Host is not a loopback name, before anything else', async () => {
    emulator = await startEmulator({
      statePath: join(tempDir(), 'emulator.db'),
      port: 0,
      host: '127.0.0.1',
      timeScale: 1,
    });
    const webhook = { url: 'http://127.0.0.1:9/internal-admin', events: ['catalog.product.created'] };
    const rebound = await call(emulator.url, 'POST', '/api/v1/webhooks', 'attacker.example:4010', webhook);
    expect(rebound.status).toBe(403);
    expect(rebound.json.error?.code).toBe('host_not_allowed');
    expect(rebound.json.error?.message).toMatch(/answers only requests for 127\.0\.0\.1, localhost or \[::1\]/);
    expect(emulator.store.listWebhooks()).toEqual([]);
    expect((await call(emulator.url, 'GET', '/api/v1/webhooks', 'attacker.example')).status).toBe(403);
    expect((await call(emulator.url, 'GET', '/api/v1/openapi.json', '127.0.0.1.attacker.example')).status).toBe(403);

    // The same requests under loopback names are served.
    const port = new URL(emulator.url).port;
    expect((await call(emulator.url, 'POST', '/api/v1/webhooks', `127.0.0.1:${port}`, webhook)).status).toBe(201);
    expect((await call(emulator.url, 'GET', '/api/v1/webhooks', `localhost:${port}`)).status).toBe(200);
    expect((await call(emulator.url, 'GET', '/api/v1/webhooks', `[::1]:${port}`)).status).toBe(200);
  });
});

describe('serve and CONNECT', () => {
  it('answers CONNECT (which node leaves unanswered) with 405', async () => {
    emulator = await startEmulator({
      statePath: join(tempDir(), 'emulator.db'),
      port: 0,
      host: '127.0.0.1',
      timeScale: 1,
    });
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(emulator!.url).port), '127.0.0.1', () =>
        socket.write('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      setTimeout(() => socket.destroy(), 5_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(answer).toContain('"code":"method_not_allowed"');
  });
});
