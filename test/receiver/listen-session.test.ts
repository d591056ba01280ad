/**
 * The listen session in-process: a real listener on a loopback port with a history in a temp
 * folder, signed requests over fetch, a real emulator for `--register`; asserts the events it
 * emits and what its handle's stop does.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformClient } from '../../src/api/platform-client.js';
import { sign } from '../../src/core/signature.js';
import { type RunningEmulator, startEmulator } from '../../src/emulator/emulator.js';
import { UserError } from '../../src/errors.js';
import { type ListenSession, type ListenSummary, startListenSession } from '../../src/receiver/listen-session.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';

const SECRET = 'session-secret';
const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

function deliver(url: string, id: string, secret = SECRET) {
  const body = JSON.stringify({
    event: 'catalog.product.created',
    timestamp: '2026-01-01T00:00:00Z',
    data: { product_id: 'prod_1' },
  });
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': 'catalog.product.created',
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, secret),
    },
  });
}

/** Collects the `requests` batches; `count(n)` resolves once n requests have been handed on. */
function collectRequests(session: ListenSession) {
  const records: DeliveryRecord[] = [];
  const batches: number[] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  session.on('requests', (batch) => {
    records.push(...batch);
    batches.push(batch.length);
    for (const w of waiting.filter((w) => records.length >= w.n)) w.resolve();
  });
  return {
    records,
    batches,
    count: (n: number) =>
      new Promise<void>((resolve) => (records.length >= n ? resolve() : waiting.push({ n, resolve }))),
  };
}

async function session(
  options: Partial<Parameters<typeof startListenSession>[0]> = {},
  handlers: Parameters<typeof startListenSession>[1] = {},
) {
  const dbPath = join(tempDir(), 'history.db');
  const s = await startListenSession({ dbPath, host: '127.0.0.1', port: 0, secrets: [SECRET], ...options }, handlers);
  running.push(s);
  return { session: s, dbPath };
}

describe('startListenSession', () => {
  it('hands on answered requests in batches, and stop closes the port, writes every record and emits stopped once', async () => {
    const stopped: ListenSummary[] = [];
    const { session: s, dbPath } = await session({}, { stopped: (summary) => stopped.push(summary) });
    const seen = collectRequests(s);
    expect((await deliver(s.listener.url, 'dlv_one')).status).toBe(200);
    expect((await deliver(s.listener.url, 'dlv_bad', 'wrong-secret')).status).toBe(401);
    expect((await deliver(s.listener.url, 'dlv_one')).status).toBe(200);
    await seen.count(3);
    expect(seen.records.map((r) => [r.deliveryId, r.status, r.signatureValid, r.duplicate])).toEqual([
      ['dlv_one', 200, true, false],
      ['dlv_bad', 401, false, false],
      ['dlv_one', 200, true, true],
    ]);

    const summary = await s.stop();
    expect(summary).toEqual({ received: 3, written: 3, spilled: 0, spools: [], lost: 0, lostAccepted: 0 });
    expect(stopped).toEqual([summary]);
    // Stopping again is the same stop, not a second one.
    expect(await s.stop()).toBe(summary);
    expect(stopped).toHaveLength(1);
    await expect(fetch(s.listener.url, { method: 'POST', body: '{}' })).rejects.toThrow();
    const store = HistoryStore.open(dbPath);
    try {
      expect(
        store
          .list({})
          .map((r) => r.deliveryId)
          .sort(),
      ).toEqual(['dlv_bad', 'dlv_one', 'dlv_one']);
    } finally {
      store.close();
    }
  });

  it('hands on the requests still gathered when it stops, before stopped', async () => {
    const order: string[] = [];
    // A batch interval no test waits for: only the stop can hand the request on.
    const { session: s } = await session({ batchMs: 600_000 }, { stopped: () => order.push('stopped') });
    s.on('requests', (batch) => order.push(...batch.map((r) => `request ${r.deliveryId}`)));
    expect((await deliver(s.listener.url, 'dlv_last')).status).toBe(200);
    expect(order).toEqual([]);
    await s.stop();
    expect(order).toEqual(['request dlv_last', 'stopped']);
  });

  it('stops handing requests to a handler that unsubscribed', async () => {
    const { session: s } = await session();
    const kept = collectRequests(s);
    const dropped: DeliveryRecord[] = [];
    const off = s.on('requests', (batch) => dropped.push(...batch));
    off();
    await deliver(s.listener.url, 'dlv_after');
    await kept.count(1);
    expect(dropped).toEqual([]);
  });

  describe('with --register', () => {
    let emulator: RunningEmulator | undefined;
    afterEach(async () => {
      await emulator?.close();
      emulator = undefined;
    });

    it('registers the listener as a webhook, reports its id as info, and removes it on stop with a note', async () => {
      const token = 'tok_session';
      emulator = await startEmulator({
        statePath: join(tempDir(), 'emulator.db'),
        port: 0,
        host: '127.0.0.1',
        token,
        timeScale: 1,
      });
      const notes: string[] = [];
      const infos: Array<{ webhookId?: string }> = [];
      const api = { baseUrl: emulator.url, token };
      const { session: s } = await session(
        { register: { api, events: ['catalog.product.created'] } },
        { registrationNote: (line) => notes.push(line), info: (info) => infos.push(info) },
      );
      const webhookId = s.listener.info().webhookId;
      expect(webhookId).toMatch(/^wh_/);
      expect(infos).toEqual([{ webhookId }]);
      const client = new PlatformClient(api);
      try {
        const [webhook] = (await client.listWebhooks()).value;
        expect(webhook).toMatchObject({ id: webhookId, url: s.listener.url, events: ['catalog.product.created'] });
        await s.stop();
        expect(notes).toEqual([`removed webhook ${webhookId}`]);
        expect((await client.listWebhooks()).value).toEqual([]);
      } finally {
        await client.close();
      }
    });

    it('a registration that fails stops what had started, emits stopped and throws the error', async () => {
      // An API that turns every token away.
      const api = createServer((_req, res) =>
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"error":{"code":"unauthorized","message":"bad token"}}'),
      );
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      running.push({ stop: () => new Promise((resolve) => api.close(resolve)) });
      const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const stopped: ListenSummary[] = [];
      const started = startListenSession(
        {
          dbPath: join(tempDir(), 'history.db'),
          host: '127.0.0.1',
          port: 0,
          secrets: [SECRET],
          register: { api: { baseUrl, token: 't' }, events: ['catalog.product.created'] },
        },
        { stopped: (summary) => stopped.push(summary) },
      );
      await expect(started).rejects.toBeInstanceOf(UserError);
      expect(stopped).toEqual([{ received: 0, written: 0, spilled: 0, spools: [], lost: 0, lostAccepted: 0 }]);
    });
  });
});
