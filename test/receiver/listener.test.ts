/** The listener in-process, over real loopback sockets: transport edge cases and the handler API. */

import net from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { type Listener, startListener } from '../../src/receiver/index.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { detailLines } from '../../src/ui/tui/detail-lines.js';
import { tempDir } from '../helpers/cli.js';

const SECRET = 's3cret';
const open: Listener[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function listener(options: Partial<Parameters<typeof startListener>[0]> = {}) {
  const l = await startListener({ dbPath: join(tempDir(), 'history.db'), port: 0, secrets: [SECRET], ...options });
  open.push(l);
  return l;
}

/** Writes raw bytes on a fresh connection and resolves with everything the server sent back. */
function rawExchange(port: number, chunks: string[], pauseMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(answer) : reject(err),
    );
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    })();
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

async function recorded(l: Listener) {
  const dbPath = l.dbPath;
  open.splice(open.indexOf(l), 1);
  await l.close();
  const store = HistoryStore.open(dbPath);
  try {
    return store.list({ limit: 1000 }).reverse();
  } finally {
    store.close();
  }
}

describe('startListener', () => {
  it('answers 431 to headers over 64 KiB, and records it', async () => {
    const l = await listener();
    const answer = await rawExchange(l.port, [
      `POST /webhook HTTP/1.1\r\nHost: x\r\nX-Huge: ${'a'.repeat(100 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`,
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('request headers larger than 64 KiB');
    const rows = await recorded(l);
    expect(rows.map((r) => [r.status, r.error])).toEqual([[431, 'request headers larger than 64 KiB']]);
  });

  it('answers CONNECT (which node leaves unanswered) and records it', async () => {
    const l = await listener();
    const answer = await rawExchange(l.port, ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n']);
    expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(answer).toContain('Connection: close');
    expect(answer).toContain('"no webhook endpoint at 127.0.0.1:22; send to /webhook"');
    const rows = await recorded(l);
    expect(rows.map((r) => [r.method, r.url, r.status])).toEqual([['CONNECT', '127.0.0.1:22', 404]]);
  });

  it('answers --respond-status 204 with neither body nor Content-Length, so the next answer on the connection stays in step', async () => {
    const l = await listener({ verify: false, respondStatus: 204 });
    const request = 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';
    const answer = await rawExchange(l.port, [request + request.replace('Host: x', 'Host: x\r\nConnection: close')]);
    const heads = answer.split('\r\n\r\n').filter(Boolean);
    expect(heads.map((head) => head.split('\r\n')[0])).toEqual(['HTTP/1.1 204 No Content', 'HTTP/1.1 204 No Content']);
    expect(answer.toLowerCase()).not.toContain('content-length');
  });

  it('does not let a client that stalls mid-headers hold a connection', async () => {
    const l = await listener({ requestTimeoutMs: 300 });
    const started = Date.now();
    const answer = await rawExchange(l.port, ['POST /webhook HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n'], 250);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Node checks the deadline about once a second.
    expect(Date.now() - started).toBeLessThan(3_000);
    const rows = await recorded(l);
    expect(rows.map((r) => r.status)).toEqual([408]);
    // Its detail says why the signature was not checked, with or without the listener's secret.
    const store = HistoryStore.open(l.dbPath);
    const record = store.get(rows[0]!.id)!;
    store.close();
    for (const secrets of [[], [SECRET]]) {
      const signature = detailLines(record, { secrets }).map((line) => line.text);
      expect(signature).toContain(
        'not checked: the request never completed (the client was too slow to send it; answered 408)',
      );
      expect(signature.join('\n')).not.toContain('no secret');
    }
  });

  it('answers tunnelled requests given to its handler like local ones, marked as relayed', async () => {
    const l = await listener();
    const body = Buffer.from('{"event":"customer.cart.added","data":{}}');
    const seen: string[] = [];
    l.onRecord((r) => seen.push(`${r.source} ${r.status}`));
    const good = await l.handler({
      method: 'POST',
      path: '/webhook',
      headers: { 'x-webhook-delivery': 'dlv_t', 'x-webhook-signature': sign(body, SECRET) },
      body,
      remoteAddress: null,
      via: 'relay',
    });
    const bad = await l.handler({
      method: 'POST',
      path: '/webhook',
      headers: {},
      body,
      remoteAddress: null,
      via: 'relay',
    });
    const tooBig = await l.handler({
      method: 'POST',
      path: '/webhook',
      headers: {},
      body: Buffer.alloc(2 * 1024 * 1024),
      remoteAddress: null,
      via: 'relay',
    });
    expect([good.status, bad.status, tooBig.status]).toEqual([200, 401, 413]);
    expect(JSON.parse(good.body.toString())).toEqual({ received: true, delivery_id: 'dlv_t', duplicate: false });
    expect(seen).toEqual(['relay 200', 'relay 401', 'relay 413']);
    expect(l.stats()).toMatchObject({ received: 3, valid: 1, invalid: 1, failed: 2 });
    const rows = await recorded(l);
    expect(rows.map((r) => r.source)).toEqual(['relay', 'relay', 'relay']);
  });

  it('keeps answering while another connection locks the database, and writes everything once it is free', async () => {
    const problems: Array<string | null> = [];
    const l = await listener();
    l.onWriteProblem((p) => problems.push(p?.message ?? null));
    const blocker = new Database(l.dbPath);
    blocker.exec('BEGIN EXCLUSIVE');
    const body = '{"event":"customer.cart.added","data":{}}';
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(l.url, {
          method: 'POST',
          body,
          headers: { 'x-webhook-delivery': `dlv_lock_${i}`, 'x-webhook-signature': sign(body, SECRET) },
        }).then((r) => r.status),
      ),
    );
    expect(answers.every((s) => s === 200)).toBe(true);
    // A lock is reported only once it has lasted 2 s (a brief one is normal between processes).
    for (let i = 0; i < 80 && problems.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(problems[0]).toMatch(/locked by another process/);
    blocker.exec('COMMIT');
    blocker.close();
    for (let i = 0; i < 50 && problems[problems.length - 1] !== null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(problems[problems.length - 1]).toBeNull();
    const rows = await recorded(l);
    expect(rows).toHaveLength(40);
  });
});
