/**
 * `listen --relay` catching up, in-process over real loopback sockets: a relay with a real SQLite
 * hold store holds while the listener is away; the listen session drains the backlog into its
 * SQLite history in arrival order, each with how long it was held, acknowledging each only once
 * recorded; live deliveries keep flowing meanwhile; `--backlog none` and a duration; a copy whose
 * delivery id is already in the history is acknowledged, not recorded twice.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import type { ListenerInfo } from '../../src/receiver/index.js';
import {
  type ListenSession,
  type ListenSessionOptions,
  startListenSession,
} from '../../src/receiver/listen-session.js';
import { HOLD_DEFAULTS } from '../../src/relay/holding.js';
import { RelayServer } from '../../src/relay/relay-server.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { SqliteHoldStore } from '../../src/store/sqlite-hold-store.js';
import { isolatedEnv, tempDir } from '../helpers/cli.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { runCli } from '../helpers/run-cli.js';
import { until } from '../helpers/until.js';

const SECRET = 'backlog-secret';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function holdingRelay() {
  const store = SqliteHoldStore.open(tempDir());
  const relay = await RelayServer.start({
    host: '127.0.0.1',
    port: 0,
    hold: { store, ...HOLD_DEFAULTS },
    rateLimit: 1e6,
  });
  cleanups.push(() => relay.close());
  return { relay, store, wsUrl: relay.url.replace('http', 'ws') };
}

/** A listen session through the relay, its history and channel in `configDir` (the same channel each time). */
async function listenThrough(
  wsUrl: string,
  configDir: string,
  extra: Partial<ListenSessionOptions> = {},
): Promise<{ session: ListenSession; publicUrl: string; infos: ListenerInfo[] }> {
  const infos: ListenerInfo[] = [];
  const session = await startListenSession(
    {
      dbPath: join(configDir, 'history.db'),
      port: 0,
      secrets: [SECRET],
      relayUrl: wsUrl,
      env: isolatedEnv(configDir),
      ...extra,
    },
    { info: (info) => infos.push(info) },
  );
  cleanups.push(() => session.stop());
  await until(() => session.listener.info().relay?.state === 'connected');
  return { session, publicUrl: session.listener.info().relay!.publicUrl!, infos };
}

function deliver(url: string, id: string) {
  const body = JSON.stringify({ event: 'catalog.product.created', timestamp: '2026-01-01T00:00:00Z', data: { id } });
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': 'catalog.product.created',
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, SECRET),
    },
  });
}

function received(configDir: string) {
  const history = HistoryStore.open(join(configDir, 'history.db'));
  try {
    return history
      .list({ direction: 'in', limit: 100_000 })
      .reverse()
      .map((r) => ({
        id: r.deliveryId,
        heldMs: r.heldMs,
        status: r.status,
        valid: r.signatureValid,
        createdAt: r.createdAt,
      }));
  } finally {
    history.close();
  }
}

/** Makes the relay know the channel of `configDir`, then leaves; returns the public URL. */
async function channelOf(wsUrl: string, configDir: string): Promise<string> {
  const { session, publicUrl } = await listenThrough(wsUrl, configDir);
  await session.stop();
  return publicUrl;
}

describe('listen --backlog', () => {
  it('is a usage error without --relay, or with a value that is not all, none or a duration', async () => {
    const alone = await runCli(['listen', '--port', '0', '--secret', SECRET, '--backlog', 'none']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(
      /^error: --backlog chooses among the deliveries a relay held, and there is no --relay — /,
    );
    const bad = await runCli(['listen', '--secret', SECRET, '--relay', 'ws://127.0.0.1:1', '--backlog', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected all, none, or a duration such as 30m or 24h/);
  });
});

describe('listen catching up with what the relay held', () => {
  it('records every held delivery once, in arrival order, with how long it was held, and the relay forgets each', async () => {
    const { relay, store, wsUrl } = await holdingRelay();
    const configDir = tempDir();
    const publicUrl = await channelOf(wsUrl, configDir);
    const channel = publicUrl.split('/').pop()!;
    const ids = Array.from({ length: 100 }, (_, n) => `dlv_held_${String(n).padStart(3, '0')}`);
    const sentAt: number[] = [];
    for (const id of ids) {
      sentAt.push(Date.now());
      const res = await deliver(publicUrl, id);
      expect(res.status).toBe(202);
      expect(res.headers.get('x-relay-held')).toBe('true');
    }
    expect((await store.holding(channel)).count).toBe(100);

    const { session, infos } = await listenThrough(wsUrl, configDir);
    await until(() => session.listener.info().backlog?.state === 'caught-up', 15_000, 'caught up');
    expect(infos.find((i) => i.backlog?.state === 'catching-up')?.backlog).toMatchObject({ count: 100, skipped: 0 });
    expect(session.listener.info().backlog).toMatchObject({ state: 'caught-up', count: 100, skipped: 0 });
    expect(session.listener.info().backlog!.maxHeldMs).toBeGreaterThanOrEqual(Date.now() - sentAt[0]! - 5_000);
    await until(async () => (await store.holding(channel)).count === 0, 5_000, 'the relay forgets them');
    await session.stop();

    const rows = received(configDir);
    expect(rows.map((r) => r.id)).toEqual(ids);
    for (const [n, row] of rows.entries()) {
      expect(row.status).toBe(200);
      expect(row.valid).toBe(true);
      expect(row.heldMs).toBeGreaterThan(0);
      // Recorded at the time the relay received it.
      expect(row.createdAt).toBeGreaterThanOrEqual(sentAt[n]!);
    }
    const metrics = parsePrometheusText(await (await fetch(`${relay.url}/metrics`)).text());
    expect(metrics.value('relay_held_drained_total')).toBe(100);
    expect(metrics.value('relay_held_deliveries')).toBe(0);
  });

  it('lets live deliveries through while a backlog drains, and keeps the backlog in its order', async () => {
    const { wsUrl } = await holdingRelay();
    const configDir = tempDir();
    const publicUrl = await channelOf(wsUrl, configDir);
    const held = Array.from({ length: 800 }, (_, n) => `dlv_b_${String(n).padStart(4, '0')}`);
    for (let n = 0; n < held.length; n += 50)
      await Promise.all(
        held.slice(n, n + 50).map(async (id) => expect((await deliver(publicUrl, id)).status).toBe(202)),
      );

    const { session } = await listenThrough(wsUrl, configDir);
    const live: string[] = [];
    for (let n = 0; session.listener.info().backlog?.state !== 'caught-up' && n < 200; n++) {
      const id = `dlv_live_${n}`;
      const res = await deliver(publicUrl, id);
      // The listener's own answer: not held, not queued behind the backlog.
      expect(res.status).toBe(200);
      expect(res.headers.get('x-relay-held')).toBeNull();
      live.push(id);
    }
    await until(() => session.listener.info().backlog?.state === 'caught-up', 20_000, 'caught up');
    await session.stop();
    const ids = received(configDir).map((r) => r.id!);
    expect(live.length).toBeGreaterThan(0);
    expect(ids.filter((id) => id.startsWith('dlv_b_'))).toEqual(held);
    expect(ids.filter((id) => id.startsWith('dlv_live_'))).toEqual(live);
    // The history's order was not held for the backlog: a live one landed before the last held one.
    expect(ids.indexOf(live[0]!)).toBeLessThan(ids.indexOf(held[held.length - 1]!));
  });

  it('--backlog none drops what was held; a duration takes only the newest', async () => {
    const { store, wsUrl } = await holdingRelay();
    const none = tempDir();
    const noneUrl = await channelOf(wsUrl, none);
    for (let n = 0; n < 4; n++) await deliver(noneUrl, `dlv_none_${n}`);
    const skipping = await listenThrough(wsUrl, none, { backlog: 'none' });
    await until(() => skipping.session.listener.info().backlog, 5_000, 'the backlog report');
    expect(skipping.session.listener.info().backlog).toMatchObject({ state: 'caught-up', count: 0, skipped: 4 });
    await skipping.session.stop();
    expect(received(none)).toEqual([]);
    expect((await store.holding(noneUrl.split('/').pop()!)).count).toBe(0);

    const newest = tempDir();
    const newestUrl = await channelOf(wsUrl, newest);
    for (let n = 0; n < 3; n++) await deliver(newestUrl, `dlv_old_${n}`);
    await new Promise((resolve) => setTimeout(resolve, 700));
    for (let n = 0; n < 3; n++) await deliver(newestUrl, `dlv_new_${n}`);
    const recent = await listenThrough(wsUrl, newest, { backlog: 500 });
    await until(() => recent.session.listener.info().backlog?.state === 'caught-up', 5_000, 'caught up');
    expect(recent.session.listener.info().backlog).toMatchObject({ count: 3, skipped: 3 });
    await recent.session.stop();
    expect(received(newest).map((r) => r.id)).toEqual(['dlv_new_0', 'dlv_new_1', 'dlv_new_2']);
  });

  it('acknowledges a held copy whose delivery id is already in the history without recording it again', async () => {
    const { store, wsUrl } = await holdingRelay();
    const configDir = tempDir();
    const first = await listenThrough(wsUrl, configDir);
    expect((await deliver(first.publicUrl, 'dlv_twice')).status).toBe(200);
    await first.session.stop();
    // The platform retries (say its first answer was lost): the relay holds the copy.
    expect((await deliver(first.publicUrl, 'dlv_twice')).status).toBe(202);
    expect((await deliver(first.publicUrl, 'dlv_once')).status).toBe(202);

    const again = await listenThrough(wsUrl, configDir);
    await until(() => again.session.listener.info().backlog?.state === 'caught-up', 5_000, 'caught up');
    await until(
      async () => (await store.holding(first.publicUrl.split('/').pop()!)).count === 0,
      5_000,
      'acknowledged',
    );
    await again.session.stop();
    expect(received(configDir).map((r) => [r.id, r.heldMs === null])).toEqual([
      ['dlv_twice', true],
      ['dlv_once', false],
    ]);
  });
});
