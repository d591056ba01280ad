/**
 * The whole tunnel with real processes: `relay`, `listen --relay` and `trigger` aimed at the
 * public URL, plus an app behind `--forward-to`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { type ListenProcess, spawnListen as spawnRelayListen } from '../helpers/relay-listen.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { freePort, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function relayProcess(port = 0, args: string[] = []): Promise<RelayProcess> {
  const relay = await startRelayProcess(port, args);
  cleanups.push(() => relay.stop());
  return relay;
}

/** `listen --relay` as a process, stopped after the test. */
function spawnListen(relay: Pick<RelayProcess, 'wsUrl'>, args: string[] = [], configDir = tempDir()): ListenProcess {
  const listener = spawnRelayListen(relay.wsUrl, args, { secret: SECRET, configDir });
  cleanups.push(() => listener.stop());
  return listener;
}

/** A listener connected through `relay`, and its public URL. */
async function listenThrough(
  relay: RelayProcess,
  args: string[] = [],
  configDir?: string,
): Promise<ListenProcess & { publicUrl: string }> {
  const listener = spawnListen(relay, args, configDir);
  const publicUrl = await listener.waitFor(/relay: connected — public URL (\S+)/);
  return Object.assign(listener, { publicUrl });
}

async function trigger(url: string, event = 'catalog.product.created') {
  const result = await spawnCli(['--json', 'trigger', event, '--to', url, '--secret', SECRET]);
  return {
    result,
    delivery: (JSON.parse(result.stdout) as { deliveries: Array<{ status: number | null; delivery_id: string }> })
      .deliveries[0]!,
  };
}

function history(dbPath: string) {
  const store = HistoryStore.open(dbPath);
  try {
    return store.list({ direction: 'in', limit: 1000 }).map((s) => store.get(s.id)!);
  } finally {
    store.close();
  }
}

describe('listen --relay', () => {
  it('receives a trigger at the public URL, verified and recorded, and keeps the URL across restarts', async () => {
    const relay = await relayProcess();
    const listener = await listenThrough(relay);
    const publicUrl = listener.publicUrl;
    expect(publicUrl).toMatch(new RegExp(`^${relay.url}/ch_[A-Za-z0-9_-]{22}$`));

    const { result, delivery } = await trigger(publicUrl);
    expect(result.exitCode).toBe(0);
    expect(delivery.status).toBe(200);
    const stopped = await listener.stop();
    expect(stopped.exitCode).toBe(0);
    const rows = history(listener.dbPath);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      deliveryId: delivery.delivery_id,
      signatureValid: true,
      status: 200,
      source: 'relay',
    });

    const stored = JSON.parse(readFileSync(join(listener.configDir, 'relay-channels.json'), 'utf8')) as Record<
      string,
      { publicUrl: string }
    >;
    expect(Object.values(stored)[0]!.publicUrl).toBe(publicUrl);
    const again = await listenThrough(relay, [], listener.configDir);
    expect(again.publicUrl).toBe(publicUrl);
    expect((await trigger(publicUrl)).delivery.status).toBe(200);
  });

  it("returns the app's real answer: a 418 from --forward-to reaches the sender", async () => {
    const app = await startRecordingServer(() => ({
      status: 418,
      body: 'I am a teapot',
      headers: { 'x-app': 'kettle' },
    }));
    cleanups.push(() => app.close());
    const relay = await relayProcess();
    const listener = await listenThrough(relay, ['--forward-to', `${app.url}/hooks`]);
    const publicUrl = listener.publicUrl;

    const { result, delivery } = await trigger(publicUrl, 'customer.purchase.completed');
    expect(delivery.status).toBe(418);
    expect(result.exitCode).toBe(1);
    expect(app.requests).toHaveLength(1);
    // The app got the exact bytes trigger signed, through relay and listener.
    const forwarded = app.requests[0]!;
    expect(verify(forwarded.body, forwarded.headers['x-webhook-signature'], [SECRET]).valid).toBe(true);
    await listener.stop();
    expect(history(listener.dbPath)[0]).toMatchObject({
      deliveryId: delivery.delivery_id,
      status: 418,
      source: 'relay',
    });
  });

  it('routes deliveries that come through the relay: the first matching route takes each, an unmatched one is answered by listen', async () => {
    const catalog = await startRecordingServer(() => ({ status: 200, body: 'catalog' }));
    const customers = await startRecordingServer(() => ({ status: 202, body: 'customers' }));
    cleanups.push(
      () => catalog.close(),
      () => customers.close(),
    );
    const relay = await relayProcess();
    const listener = await listenThrough(relay, [
      '--forward-to',
      `catalog.*=${catalog.url}/c`,
      '--forward-to',
      `customer.*=${customers.url}/u`,
      '--respond-status',
      '204',
    ]);
    expect((await trigger(listener.publicUrl, 'customer.cart.added')).delivery.status).toBe(202);
    expect((await trigger(listener.publicUrl, 'catalog.product.deleted')).delivery.status).toBe(200);
    expect((await trigger(listener.publicUrl, 'search.zero_results')).delivery.status).toBe(204);
    expect(catalog.requests.map((r) => r.headers['x-webhook-event'])).toEqual(['catalog.product.deleted']);
    expect(customers.requests.map((r) => r.headers['x-webhook-event'])).toEqual(['customer.cart.added']);
    await listener.stop();
    const rows = history(listener.dbPath).reverse();
    expect(rows.map((r) => [r.event, r.source, r.route, r.forwarded])).toEqual([
      ['customer.cart.added', 'relay', 'customer.*', true],
      ['catalog.product.deleted', 'relay', 'catalog.*', true],
      ['search.zero_results', 'relay', null, false],
    ]);
  });

  it('reconnects after the relay is killed and restarted, and the next delivery goes through', async () => {
    const port = await freePort();
    const first = await startRelayProcess(port);
    const listener = await listenThrough(first);
    const publicUrl = listener.publicUrl;
    await first.stop('SIGKILL');
    await listener.waitFor(/relay: reconnecting/);
    await relayProcess(port);
    await listener.waitFor(/relay: connected/, 2);
    const { delivery } = await trigger(publicUrl);
    expect(delivery.status).toBe(200);
    await listener.stop();
    expect(history(listener.dbPath).map((r) => r.deliveryId)).toEqual([delivery.delivery_id]);
  });

  it('with no relay at the address, keeps retrying and says why and when the next try is', async () => {
    const port = await freePort();
    const listener = spawnListen({ wsUrl: `ws://127.0.0.1:${port}` });
    await listener.waitFor(
      /relay: reconnecting \(connection refused by 127\.0\.0\.1:\d+ — is the relay running on that port\?, retrying in 5 s at (\d\d:\d\d:\d\d) \(4 tries failed\)\)/,
    );
    const result = await listener.stop();
    expect(result.exitCode).toBe(0);
  });

  it('leaves the sender a 503 when no listener is connected and the relay runs with --offline refuse', async () => {
    const relay = await relayProcess(0, ['--offline', 'refuse']);
    const listener = await listenThrough(relay);
    const publicUrl = listener.publicUrl;
    await listener.stop();
    const { result, delivery } = await trigger(publicUrl);
    expect(delivery.status).toBe(503);
    expect(result.exitCode).toBe(1);
  });

  it('ends with a clear error when the relay refuses the stored token', async () => {
    const relay = await relayProcess();
    const configDir = tempDir();
    const first = await listenThrough(relay, [], configDir);
    await first.stop();
    const file = join(configDir, 'relay-channels.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { token: string }>;
    for (const entry of Object.values(stored)) entry.token = 'C'.repeat(43);
    writeFileSync(file, JSON.stringify(stored));

    const result = await spawnListen(relay, [], configDir).process;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /error: the relay refused channel ch_\S+: this token does not open that channel — remove the entry for ws:\/\/127\.0\.0\.1:\d+\/connect from .*relay-channels\.json/,
    );
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('with --json, puts the relay state on stdout as JSON lines', async () => {
    const relay = await relayProcess();
    const listener = await listenThrough(relay, ['--json']);
    const result = await listener.stop();
    const lines = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual({ type: 'relay', state: 'connected', publicUrl: listener.publicUrl });
  });

  it('rejects a --relay that is not a WebSocket URL with exit 2', async () => {
    const result = await spawnCli(['listen', '--secret', SECRET, '--port', '0', '--relay', 'ftp://relay'], {
      timeout: 10_000,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--relay "ftp:\/\/relay" is not a ws:\/\/ or wss:\/\/ URL/);
  });
});
