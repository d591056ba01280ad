/**
 * The relay holding deliveries for a known channel while no listener is connected, in-process
 * over real loopback HTTP and WebSockets with a real SQLite hold store: 202 with X-Relay-Held
 * only once written, 503 hold full at the limits, nothing held for unknown channels or revoked
 * keys, expiry, /metrics and /healthz, and `relay held list|drop`.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayAccess } from '../../src/relay/admission.js';
import { HOLD_DEFAULTS, type HoldSettings } from '../../src/relay/holding.js';
import { RelayKeyFile } from '../../src/relay/keys-file.js';
import type { RelayOptions } from '../../src/relay/relay-options.js';
import { RelayServer } from '../../src/relay/relay-server.js';
import { SqliteHoldStore } from '../../src/store/sqlite-hold-store.js';
import { TunnelClient, type TunnelClientOptions } from '../../src/tunnel/tunnel-client.js';
import { tempDir } from '../helpers/cli.js';
import { parsePrometheusText as parsePrometheus } from '../helpers/prometheus-text.js';
import { runCli } from '../helpers/run-cli.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface HoldingRelay {
  relay: RelayServer;
  store: SqliteHoldStore;
  dataDir: string;
}

async function holdingRelay(
  hold: Partial<HoldSettings> = {},
  options: Partial<RelayOptions> = {},
): Promise<HoldingRelay> {
  const dataDir = tempDir();
  const store = SqliteHoldStore.open(dataDir);
  const relay = await RelayServer.start({
    host: '127.0.0.1',
    port: 0,
    hold: { store, ...HOLD_DEFAULTS, ...hold },
    ...options,
  });
  cleanups.push(() => relay.close());
  return { relay, store, dataDir };
}

/** A listener that connects once (so the relay knows its channel) and leaves; resolves with the channel's URL. */
async function knownChannel(relay: RelayServer, extra: Partial<TunnelClientOptions> = {}): Promise<string> {
  const client = new TunnelClient({
    relayUrl: relay.url.replace('http', 'ws'),
    handler: async () => ({ status: 200, headers: {}, body: Buffer.alloc(0) }),
    ...extra,
  });
  client.start();
  await until(() => client.status().state === 'connected');
  const publicUrl = client.status().publicUrl!;
  await client.stop(100);
  await until(() => relay.stats().connected === 0);
  return publicUrl;
}

function deliver(url: string, n = 0, body = `{"event":"catalog.product.created","n":${n}}`) {
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-signature': `sha256=${'0'.repeat(64)}`,
      'x-webhook-delivery': `dlv_${n}`,
    },
  });
}

describe('relay --offline hold', () => {
  it('answers 202 with X-Relay-Held once the delivery is written, keeping its bytes, headers and arrival time', async () => {
    const { relay, store } = await holdingRelay();
    const url = await knownChannel(relay);
    const channel = url.split('/').pop()!;
    const body = '{ "event":"catalog.product.created",\n "data": {"price": 89.990} }';
    const before = Date.now();
    const res = await fetch(`${url}/orders?x=1`, {
      method: 'POST',
      body,
      headers: { 'x-webhook-signature': 'sha256=abc', 'x-webhook-delivery': 'dlv_held', 'x-custom': 'kept' },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-relay-held')).toBe('true');
    expect(res.headers.get('x-relay-error')).toBeNull();
    expect(await res.json()).toMatchObject({ held: true, channel });

    const [held] = await store.read(channel, undefined, 10);
    expect(held!.body.toString()).toBe(body);
    expect(held!.path).toBe('/orders?x=1');
    expect(held!.headers).toMatchObject({
      'x-webhook-signature': 'sha256=abc',
      'x-webhook-delivery': 'dlv_held',
      'x-custom': 'kept',
    });
    expect(held!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(held!.receivedAt).toBeLessThanOrEqual(Date.now());

    const health = (await (await fetch(`${relay.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health.held).toEqual({ store: 'sqlite', up: true, deliveries: 1 });
  });

  it('still answers 503 for a channel no listener ever held, and with --offline refuse', async () => {
    const { relay } = await holdingRelay();
    const unknown = await deliver(`${relay.url}/ch_${'x'.repeat(22)}`);
    expect(unknown.status).toBe(503);
    expect(unknown.headers.get('x-relay-error')).toBe('no_client');

    const refusing = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => refusing.close());
    const url = await knownChannel(refusing);
    const refused = await deliver(url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('x-relay-error')).toBe('no_client');
  });

  it('answers 503 hold full past --hold-max and --hold-max-bytes, and never loses one it answered 202', async () => {
    const { relay, store } = await holdingRelay({ maxCount: 5 });
    const url = await knownChannel(relay);
    const channel = url.split('/').pop()!;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, n) => deliver(url, n)));
    const accepted = answers.flatMap((r, n) => (r.status === 202 ? [n] : []));
    expect(accepted).toHaveLength(5);
    for (const r of answers.filter((r) => r.status !== 202)) {
      expect(r.status).toBe(503);
      expect(r.headers.get('x-relay-error')).toBe('hold full');
      expect(r.headers.get('retry-after')).toBe('60');
    }
    const held = await store.read(channel, undefined, 100);
    expect(held.map((d) => d.headers['x-webhook-delivery']).sort()).toEqual(accepted.map((n) => `dlv_${n}`).sort());

    const bytes = await holdingRelay({ maxBytes: 100 });
    const small = await knownChannel(bytes.relay);
    expect((await deliver(small, 1, 'x'.repeat(60))).status).toBe(202);
    const over = await deliver(small, 2, 'x'.repeat(41));
    expect(over.status).toBe(503);
    expect(over.headers.get('x-relay-error')).toBe('hold full');

    const metrics = parsePrometheus(await (await fetch(`${relay.url}/metrics`)).text());
    expect(metrics.value('relay_held_deliveries')).toBe(5);
    expect(metrics.value('relay_held_refused_total', { reason: 'full' })).toBe(7);
    expect(metrics.value('relay_requests_total', { status: '202' })).toBe(5);
    expect(metrics.value('relay_held_oldest_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('drops what outlived --hold-for, logs it and counts it', async () => {
    const lines: string[] = [];
    const { relay, store } = await holdingRelay({ holdForMs: 300 }, { log: (_level, message) => lines.push(message) });
    const url = await knownChannel(relay);
    const channel = url.split('/').pop()!;
    for (let n = 0; n < 3; n++) expect((await deliver(url, n)).status).toBe(202);
    await until(async () => (await store.holding(channel)).count === 0, 5_000, 'expiry');
    expect(lines.some((l) => l.includes(`channel ${channel}: 3 held deliveries expired`))).toBe(true);
    const metrics = parsePrometheus(await (await fetch(`${relay.url}/metrics`)).text());
    expect(metrics.value('relay_held_dropped_total', { reason: 'expired' })).toBe(3);
  });

  it("holds nothing for a revoked key's channels, and drops what they held when the key is revoked", async () => {
    const keysPath = join(tempDir(), 'relay-keys.json');
    const keys = new RelayKeyFile(keysPath);
    const alice = keys.add('alice');
    const bob = keys.add('bob');
    const access = new RelayAccess(keysPath, { pollMs: 50 });
    const { relay, store } = await holdingRelay({}, { access });
    const aliceUrl = await knownChannel(relay, { relayKey: alice });
    const bobUrl = await knownChannel(relay, { relayKey: bob });
    const aliceChannel = aliceUrl.split('/').pop()!;
    expect((await deliver(aliceUrl, 1)).status).toBe(202);
    expect((await deliver(bobUrl, 2)).status).toBe(202);

    const revoked = await runCli([
      'relay',
      'keys',
      'revoke',
      'alice',
      '--keys',
      keysPath,
      '--data-dir',
      join(store.location, '..'),
    ]);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toContain('1 deliveries held for its channels dropped');
    expect((await store.holding(aliceChannel)).count).toBe(0);
    // The running relay sees the revoke too: nothing more is held for alice's channel.
    await until(async () => (await deliver(aliceUrl, 3)).status === 503);
    expect((await deliver(bobUrl, 4)).status).toBe(202);
    expect((await store.holding(aliceChannel)).count).toBe(0);
  });

  it('keeps what it holds while its keys file is away (nobody is admitted, no key was revoked)', async () => {
    const keysPath = join(tempDir(), 'relay-keys.json');
    const alice = new RelayKeyFile(keysPath).add('alice');
    const access = new RelayAccess(keysPath, { pollMs: 50 });
    const { relay, store } = await holdingRelay({}, { access });
    const url = await knownChannel(relay, { relayKey: alice });
    const channel = url.split('/').pop()!;
    expect((await deliver(url, 1)).status).toBe(202);

    renameSync(keysPath, `${keysPath}.away`);
    await until(() => access.closedBecause !== undefined);
    // Fails closed: nothing more is held for a key that cannot be checked…
    expect((await deliver(url, 2)).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // …and what was answered 202 is still there.
    expect((await store.holding(channel)).count).toBe(1);

    renameSync(`${keysPath}.away`, keysPath);
    await until(() => access.closedBecause === undefined);
    expect((await deliver(url, 3)).status).toBe(202);
    expect((await store.holding(channel)).count).toBe(2);
  });

  it('`relay held list` shows each channel, `relay held drop` empties one', async () => {
    const { relay, dataDir } = await holdingRelay();
    const [a, b] = [await knownChannel(relay), await knownChannel(relay)];
    for (let n = 0; n < 3; n++) await deliver(a, n);
    await deliver(b, 9);
    const chA = a.split('/').pop()!;
    const chB = b.split('/').pop()!;

    const listed = await runCli(['--json', 'relay', 'held', 'list', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    const json = JSON.parse(listed.stdout) as { store: string; channels: Array<{ channel: string; count: number }> };
    expect(json.store).toBe(join(dataDir, 'relay-held.db'));
    expect(json.channels.map((c) => [c.channel, c.count])).toEqual([
      [chA, 3],
      [chB, 1],
    ]);
    const table = await runCli(['relay', 'held', 'list', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(new RegExp(`^${chA}\\s+3\\s+\\d+\\s+\\d+(ms|s) ago$`, 'm'));

    const dropped = await runCli(['relay', 'held', 'drop', chA, '--data-dir', dataDir]);
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toContain(`dropped 3 held deliveries of ${chA}`);
    const after = JSON.parse((await runCli(['--json', 'relay', 'held', 'list', '--data-dir', dataDir])).stdout);
    expect(after.channels.map((c: { channel: string }) => c.channel)).toEqual([chB]);

    const empty = await runCli(['relay', 'held', 'list', '--data-dir', tempDir()]);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/^nothing held in .*relay-held\.db$/m);
    const bad = await runCli(['relay', 'held', 'drop', 'nope', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: "nope" is not a channel id — /);
  });
});
