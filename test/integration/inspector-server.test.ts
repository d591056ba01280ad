/**
 * The inspector's server as a library, over real SQLite files and real loopback sockets: keyset
 * pages that read a bounded stretch per request, the live feed's capped batches and chart, the
 * detail (signature explained, curl), replays (edited headers checked, the signature made afresh),
 * exports, and the port it takes when the one asked for is in use.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { SCAN_WINDOW } from '../../src/inspector/history-pages.js';
import { type Inspector, startInspector } from '../../src/inspector/inspector-server.js';
import { LiveFeed, MAX_ROWS_PER_BATCH } from '../../src/inspector/live-feed.js';
import type { ActivityBatch, DetailJson, LiveBatch, ReplayAnswer, RowsPage } from '../../src/inspector/wire.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { deliveryRecord } from '../helpers/records.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';

function record(i: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const body = Buffer.from(`{"event":"catalog.product.created","n":${i}}`);
  return deliveryRecord({
    createdAt: Date.now() - 1000 + i,
    deliveryId: `dlv_${i}`,
    // Where the listener was serving: a replay goes there, never to the Host a request named.
    listenerUrl: 'http://127.0.0.1:9/webhook',
    requestHeaders: {
      host: '127.0.0.1:9',
      'content-type': 'application/json',
      'x-webhook-event': 'catalog.product.created',
      'x-webhook-delivery': `dlv_${i}`,
      'x-webhook-signature': sign(body, SECRET),
    },
    requestBody: body,
    ...overrides,
  });
}

function historyWith(records: DeliveryRecord[]): string {
  const path = join(tempDir(), 'history.db');
  const store = HistoryStore.open(path);
  store.insertMany(records);
  store.close();
  return path;
}

let inspector: Inspector | undefined;
let target: RecordingServer | undefined;
afterEach(async () => {
  await inspector?.close();
  await target?.close();
  inspector = undefined;
  target = undefined;
});

async function serve(dbPath: string, extra: Partial<Parameters<typeof startInspector>[0]> = {}) {
  inspector = await startInspector({
    dbPath,
    port: 0,
    mode: 'history',
    secrets: [SECRET],
    noSecretHint: 'pass --secret',
    env: {},
    cwd: tempDir(),
    ...extra,
  });
  const url = new URL(inspector.url);
  const token = url.searchParams.get('token')!;
  const origin = `http://${url.host}`;
  const get = async <T>(path: string) => {
    const response = await fetch(`${origin}${path}`, { headers: { 'x-inspector-token': token } });
    return { status: response.status, body: (await response.json()) as T };
  };
  const post = async <T>(path: string, body: unknown) => {
    const response = await fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'x-inspector-token': token, 'content-type': 'application/json', origin },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return { get, post, token, origin };
}

describe('pages of the history', () => {
  it('reads newest first by keyset; a filter reads a bounded stretch per request and says where to go on', async () => {
    const rows = SCAN_WINDOW + 5_000;
    // One delivery in SCAN_WINDOW + 5,000 is a customer.cart.added: the first page's stretch holds none.
    const dbPath = historyWith(
      Array.from({ length: rows }, (_, i) =>
        record(i, i === 10 ? { event: 'customer.cart.added', deliveryId: 'dlv_cart' } : {}),
      ),
    );
    const { get } = await serve(dbPath);

    const first = await get<RowsPage>('/api/rows?limit=3');
    expect(first.body.rows.map((r) => r.id)).toEqual([rows, rows - 1, rows - 2]);
    expect(first.body).toMatchObject({ older: rows - 2, lastId: rows });
    const second = await get<RowsPage>(`/api/rows?limit=3&before=${first.body.older}`);
    expect(second.body.rows.map((r) => r.id)).toEqual([rows - 3, rows - 4, rows - 5]);

    const filtered = await get<RowsPage>(`/api/rows?limit=10&q=${encodeURIComponent('event:customer.cart.added')}`);
    expect(filtered.body.rows).toEqual([]);
    // It read the SCAN_WINDOW newest rows; the next request starts below them.
    expect(filtered.body.older).toBe(rows - SCAN_WINDOW + 1);
    const next = await get<RowsPage>(
      `/api/rows?limit=10&before=${filtered.body.older}&q=${encodeURIComponent('event:customer.cart.added')}`,
    );
    expect(next.body.rows.map((r) => r.deliveryId)).toEqual(['dlv_cart']);
    expect(next.body.older).toBeNull();
  });

  it('explains a delivery: the verdict with expected against received, and a curl command that sends it again', async () => {
    const body = Buffer.from('{"event":"catalog.product.created"}');
    const dbPath = historyWith([
      record(1, {
        requestBody: body,
        requestHeaders: { host: '127.0.0.1:9', 'x-webhook-signature': sign(body, 'other') },
        signatureValid: false,
        signatureError: 'signature does not match',
        status: 401,
      }),
    ]);
    const { get } = await serve(dbPath);
    const { body: detail } = await get<DetailJson>('/api/rows/1');
    expect(detail.signature).toMatchObject({
      state: 'invalid',
      received: sign(body, 'other'),
      expected: [sign(body, SECRET)],
      secretCount: 1,
    });
    expect(Buffer.from(detail.body, 'base64')).toEqual(body);
    expect(detail.curl).toBe(
      `curl -sS -X POST 'http://127.0.0.1:9/webhook' -H 'x-webhook-signature: ${sign(body, 'other')}' --data-binary '{"event":"catalog.product.created"}'`,
    );
    expect(detail.replayTarget).toBe('http://127.0.0.1:9/webhook');
    expect((await get('/api/rows/99')).status).toBe(404);
  });
});

describe('a history it cannot read', () => {
  it('starts all the same and says why on every call, so listen keeps answering', async () => {
    const { writeFileSync } = await import('node:fs');
    const dbPath = join(tempDir(), 'history.db');
    writeFileSync(dbPath, 'this is not a SQLite file, only sixteen bytes and more of text');
    const { get } = await serve(dbPath);
    const answer = await get<{ error: { message: string; hint: string } }>('/api/rows');
    expect(answer.status).toBe(503);
    expect(answer.body.error.message).toMatch(/history\.db is damaged/);
    expect((await get('/api/info')).status).toBe(200);
  });
});

describe('replays and exports', () => {
  it('replays an edited body with edited headers, signed afresh with a new delivery id, and records it', async () => {
    target = await startRecordingServer();
    const dbPath = historyWith([record(1)]);
    const { post, get } = await serve(dbPath);
    const edited = '{"event":"catalog.product.created","n":2}';
    const answer = await post<ReplayAnswer>('/api/rows/1/replay', {
      to: target.url,
      body: edited,
      headers: { 'X-Tenant': 'acme', 'x-webhook-signature': 'sha256=forged', 'content-length': '1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, status: 200 });
    const sent = target.requests[0]!;
    expect(sent.body.toString()).toBe(edited);
    expect(sent.headers['x-webhook-signature']).toBe(sign(edited, SECRET));
    expect(sent.headers['x-webhook-delivery']).toBe(answer.body.deliveryId);
    expect(sent.headers['x-webhook-delivery']).not.toBe('dlv_1');
    expect(sent.headers['x-tenant']).toBe('acme');
    // Recorded in the history as a replay of the original.
    const page = await get<RowsPage>('/api/rows?limit=1');
    expect(page.body.rows[0]).toMatchObject({ direction: 'out', source: 'replay', replayOf: 'dlv_1' });
  });

  it('refuses what it cannot send, with a message that says why, and sends nothing', async () => {
    target = await startRecordingServer();
    const { post } = await serve(historyWith([record(1)]));
    const bad = async (body: unknown) => (await post<{ error: { message: string } }>('/api/rows/1/replay', body)).body;
    expect((await bad({ to: target.url, body: '{"event":' })).error.message).toMatch(
      /^the edited body is not valid JSON/,
    );
    expect((await bad({ to: target.url, headers: { 'bad name': 'x' } })).error.message).toBe(
      '"bad name" is not a header name',
    );
    expect((await bad({ to: target.url, headers: { 'x-a': 'one\ntwo' } })).error.message).toMatch(/one line/);
    expect((await bad({ to: 'ftp://example.com/' })).error.message).toMatch(/must be an http\(s\) URL/);
    expect(target.requests).toHaveLength(0);
  });

  it('without a secret, says how to give one', async () => {
    const { post } = await serve(historyWith([record(1)]), { secrets: [] });
    const answer = await post<{ error: { message: string; hint: string } }>('/api/rows/1/replay', {});
    expect(answer.status).toBe(409);
    expect(answer.body.error).toEqual({ message: 'cannot replay: no secret to sign with', hint: 'pass --secret' });
  });

  it('exports the chosen rows as fixtures, bodies byte for byte', async () => {
    const cwd = tempDir();
    const { post } = await serve(historyWith([record(1), record(2), record(3)]), { cwd });
    const answer = await post<{ fixtures: number; dir: string }>('/api/export', { ids: [1, 3], dir: 'out' });
    expect(answer.body).toEqual({ fixtures: 2, dir: join(cwd, 'out') });
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(join(cwd, 'out', 'manifest.json'), 'utf8')) as {
      fixtures: Array<{ delivery_id: string }>;
    };
    expect(manifest.fixtures.map((f) => f.delivery_id)).toEqual(['dlv_3', 'dlv_1']);
    expect((await post('/api/export', { ids: [], dir: 'out' })).status).toBe(400);
  });
});

describe('the live feed', () => {
  it('hands each subscriber the newest matching rows since its last, at most a batch, and how many it left out', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const feed = new LiveFeed(store, { tickMs: 60_000 });
    const all: LiveBatch[] = [];
    const carts: LiveBatch[] = [];
    const charts: ActivityBatch[] = [];
    const stopAll = feed.subscribe({
      filter: {},
      after: 0,
      rows: (b) => all.push(b),
      activity: (a) => charts.push(a),
      problem: () => {},
    });
    const stopCarts = feed.subscribe({
      filter: { event: 'customer.cart.added' },
      after: 0,
      rows: (b) => carts.push(b),
      activity: () => {},
      problem: () => {},
    });
    store.insertMany(Array.from({ length: MAX_ROWS_PER_BATCH + 50 }, (_, i) => record(i)));
    store.insert(record(1000, { event: 'customer.cart.added' }));
    feed.tick();
    expect(all).toHaveLength(1);
    expect(all[0]!.rows).toHaveLength(MAX_ROWS_PER_BATCH);
    expect(all[0]!.rows[0]!.id).toBe(MAX_ROWS_PER_BATCH + 51);
    expect(all[0]!.skipped).toBe(51);
    expect(carts[0]!.rows.map((r) => r.deliveryId)).toEqual(['dlv_1000']);
    // The chart: the (empty) past on subscribing, then every row of this tick, by second.
    expect(charts.map((c) => c.reset)).toEqual([true, false]);
    expect(charts[1]!.seconds.reduce((n, s) => n + s.total, 0)).toBe(MAX_ROWS_PER_BATCH + 51);
    expect(charts[1]!.seconds.reduce((n, s) => n + s.ok, 0)).toBe(MAX_ROWS_PER_BATCH + 51);
    feed.tick(); // nothing new: nothing sent
    expect(all).toHaveLength(1);
    stopAll();
    stopCarts();
    store.close();
  });
});

describe('its port', () => {
  it('takes the next free port when the default one is taken, and names the one asked for when it is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const dbPath = historyWith([]);
      await serve(dbPath, { port, nextFreePort: true });
      expect(inspector!.port).not.toBe(port);
      await inspector!.close();
      inspector = undefined;
      await expect(serve(dbPath, { port })).rejects.toThrow(
        `the inspector cannot listen on 127.0.0.1:${port}: port ${port} is already in use`,
      );
    } finally {
      taken.close();
    }
  });

  it('answers a Host of localhost on loopback, and nothing over the plain page without the right Host', async () => {
    const { token } = await serve(historyWith([]));
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: inspector!.port,
            path: '/api/info',
            headers: { host, 'x-inspector-token': token },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await status(`localhost:${inspector!.port}`)).toBe(200);
    expect(await status(`127.0.0.1:${inspector!.port}`)).toBe(200);
    expect(await status(`127.0.0.1:${inspector!.port + 1}`)).toBe(403);
    expect(await status('127.0.0.1')).toBe(403);
    expect(await status(`rebound.example:${inspector!.port}`)).toBe(403);
  });
});
