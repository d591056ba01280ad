/**
 * The senders that run as processes, through a real forward proxy on loopback: trigger to an
 * https:// receiver (a CONNECT tunnel, TLS end to end: the CLI trusts the test certificate
 * through NODE_EXTRA_CA_CERTS, as a user trusts a private CA), `listen --forward-to` an app on
 * another host, `serve`'s delivery engine, and `listen --relay`'s WebSocket (CONNECT). Every
 * host name resolves only inside the proxy, so a request that bypassed it would fail.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.js';
import { startListen } from '../helpers/listen.js';
import { spawnListen } from '../helpers/relay-listen.js';
import { startRelayProcess } from '../helpers/relay-process.js';
import { startServe } from '../helpers/serve.js';
import { startRecordingServer } from '../helpers/servers.js';
import { startTlsRecordingServer, TLS_CERT_FILE } from '../helpers/tls-server.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function proxyFor(hosts: Record<string, string>): Promise<ForwardProxy> {
  const proxy = await startForwardProxy(hosts);
  cleanups.push(() => proxy.close());
  return proxy;
}

describe('trigger to an https:// receiver through HTTPS_PROXY', () => {
  it("tunnels with CONNECT; TLS is end to end (the receiver's certificate is checked, not the proxy's)", async () => {
    const receiver = await startTlsRecordingServer();
    cleanups.push(() => receiver.close());
    const proxy = await proxyFor({ 'secure.internal.test': '127.0.0.1' });
    const target = `https://secure.internal.test:${receiver.port}/webhook`;
    const env = { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: TLS_CERT_FILE };
    const result = await spawnCli(
      ['--verbose', 'trigger', 'catalog.product.created', '--to', target, '--secret', SECRET],
      { env },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `requests to https://secure.internal.test:${receiver.port} go through the proxy ${proxy.url} (HTTPS_PROXY)`,
    );
    expect(proxy.seen).toEqual([`CONNECT secure.internal.test:${receiver.port}`]);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['x-webhook-event']).toBe('catalog.product.created');

    // Without the certificate trusted, the tunnel opens but TLS refuses the receiver's certificate.
    const untrusted = await spawnCli(['trigger', 'catalog.product.created', '--to', target, '--secret', SECRET], {
      env: { HTTPS_PROXY: proxy.url },
    });
    expect(untrusted.exitCode).toBe(1);
    expect(untrusted.stderr).toMatch(/TLS error with secure\.internal\.test:\d+: self[- ]signed certificate/);
    expect(receiver.requests).toHaveLength(1);
  });

  it("a tunnel the proxy refuses (502) is the proxy's failure, named with the fix", async () => {
    const proxy = await proxyFor({});
    const result = await spawnCli(
      ['trigger', 'catalog.product.created', '--to', 'https://nowhere.internal.test/webhook', '--secret', SECRET],
      { env: { https_proxy: proxy.url } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `error: 1 of 1 deliveries failed: the proxy ${proxy.url} (HTTPS_PROXY) answered 502 Bad Gateway on the way to https://nowhere.internal.test — check HTTPS_PROXY, or add nowhere.internal.test to NO_PROXY`,
    );
    expect(proxy.seen).toEqual(['CONNECT nowhere.internal.test:443']);
  });
});

describe('listen --forward-to through HTTP_PROXY', () => {
  it('passes a delivery on to an app only the proxy resolves, bytes unchanged', async () => {
    const app = await startRecordingServer(() => ({
      status: 202,
      body: '{"app":"inventory"}',
      headers: { 'content-type': 'application/json' },
    }));
    cleanups.push(() => app.close());
    const proxy = await proxyFor({ 'app.internal.test': '127.0.0.1' });
    const appUrl = `http://app.internal.test:${app.port}/hooks`;
    const listener = await startListen(
      ['--no-tui', '--secret', SECRET, '--forward-to', appUrl, '--allow-remote-forward', '--verbose'],
      { env: { HTTP_PROXY: proxy.url, NO_PROXY: '' } },
    );
    cleanups.push(() => listener.stop());
    const body = '{ "event": "catalog.product.created", "data": {"sku": "TEE-01"} }';
    const answer = await fetch(listener.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-webhook-event': 'catalog.product.created',
        'x-webhook-delivery': 'dlv_fwd',
        'x-webhook-signature': sign(body, SECRET),
      },
    });
    expect(answer.status).toBe(202);
    expect(await answer.text()).toBe('{"app":"inventory"}');
    expect(proxy.seen).toEqual([`POST ${appUrl}`]);
    expect(app.requests[0]!.body.toString()).toBe(body);
    const stopped = await listener.stop();
    expect(stopped.stderr).toContain(
      `forwarded requests to http://app.internal.test:${app.port} go through the proxy ${proxy.url} (HTTP_PROXY)`,
    );
  });

  it('a proxy that wants credentials: the sender gets a 502 whose reason names the proxy, and the app nothing', async () => {
    const app = await startRecordingServer(() => ({ status: 200 }));
    cleanups.push(() => app.close());
    const proxy = await startForwardProxy({ 'app.internal.test': '127.0.0.1' }, { credentials: 'dev:pa55' });
    cleanups.push(() => proxy.close());
    const appUrl = `http://app.internal.test:${app.port}/hooks`;
    const listener = await startListen(
      ['--no-tui', '--secret', SECRET, '--forward-to', appUrl, '--allow-remote-forward'],
      { env: { HTTP_PROXY: proxy.url } },
    );
    cleanups.push(() => listener.stop());
    const body = '{"event":"catalog.product.created","data":{}}';
    const answer = await fetch(listener.url, {
      method: 'POST',
      body,
      headers: {
        'x-webhook-event': 'catalog.product.created',
        'x-webhook-delivery': 'dlv_x',
        'x-webhook-signature': sign(body, SECRET),
      },
    });
    expect(answer.status).toBe(502);
    expect(await answer.json()).toEqual({
      error: {
        code: 'app_unavailable',
        message: `the proxy ${proxy.url} (HTTP_PROXY) answered 407 Proxy Authentication Required (it wants credentials) on the way to the app at app.internal.test:${app.port}`,
      },
    });
    expect(proxy.seen).toEqual([`POST ${appUrl}`]);
    expect(app.requests).toHaveLength(0);
  });
});

describe('serve delivers through HTTP_PROXY', () => {
  it('the delivery engine reaches a webhook URL only the proxy resolves', async () => {
    const app = await startRecordingServer(() => ({ status: 200 }));
    cleanups.push(() => app.close());
    const proxy = await proxyFor({ 'app.internal.test': '127.0.0.1' });
    const s = await startServe(['--verbose'], { env: { HTTP_PROXY: proxy.url } });
    cleanups.push(() => s.stop());
    expect(s.stderr()).toContain(`http:// deliveries through ${proxy.url} (HTTP_PROXY)`);
    const url = `http://app.internal.test:${app.port}/hook`;
    const created = await s.call('POST', '/api/v1/webhooks', {
      url,
      events: ['catalog.product.created'],
      secret: SECRET,
      active: true,
    });
    expect(created.status).toBe(201);
    const tested = await s.call('POST', `/api/v1/webhooks/${created.json.id}/test`, {
      event: 'catalog.product.created',
    });
    expect(tested.status, tested.text).toBeLessThan(300);
    await until(() => app.requests.length === 1, 10_000, 'the delivery at the app');
    expect(proxy.seen.some((line) => line.includes(`app.internal.test:${app.port}`))).toBe(true);
    expect(app.requests[0]!.headers['x-webhook-event']).toBe('catalog.product.created');
  });

  it('an attempt through a proxy that refuses records the proxy as the reason', async () => {
    const proxy = await proxyFor({});
    await proxy.close();
    const s = await startServe([], { env: { HTTP_PROXY: proxy.url } });
    cleanups.push(() => s.stop());
    const created = await s.call('POST', '/api/v1/webhooks', {
      url: 'http://app.internal.test:9/hook',
      events: ['catalog.product.created'],
      secret: SECRET,
      active: true,
    });
    // The emulator's test answer carries its first attempt; the listing keeps it with the retry it schedules.
    const tested = await s.call('POST', `/api/v1/webhooks/${created.json.id}/test`, {
      event: 'catalog.product.created',
    });
    const reason = `the proxy ${proxy.url} (HTTP_PROXY) refused the connection on the way to app.internal.test:9`;
    expect(tested.json.attempt).toMatchObject({ status: 'failed', response_status: null, error: reason });
    const rows = (await s.call('GET', `/api/v1/webhooks/${created.json.id}/deliveries`)).json.data as Array<{
      attempt: number;
      error: string | null;
    }>;
    expect(rows.find((r) => r.attempt === 1)?.error).toBe(reason);
  });
});

describe('listen --relay through HTTP_PROXY', () => {
  it('opens the WebSocket with CONNECT to a relay name only the proxy resolves', async () => {
    const relay = await startRelayProcess();
    cleanups.push(() => relay.stop());
    const proxy = await proxyFor({ 'relay.internal.test': '127.0.0.1' });
    const relayUrl = `ws://relay.internal.test:${relay.port}`;
    const listener = spawnListen(relayUrl, ['--verbose'], { secret: SECRET, env: { HTTP_PROXY: proxy.url } });
    cleanups.push(() => listener.stop());
    const publicUrl = await listener.waitFor(/relay: connected — public URL (\S+)/);
    expect(listener.stderr()).toContain(
      `connections to ws://relay.internal.test:${relay.port} go through the proxy ${proxy.url} (HTTP_PROXY)`,
    );
    expect(proxy.seen).toEqual([`CONNECT relay.internal.test:${relay.port}`]);

    // A delivery to the public URL reaches the listener through the tunnel.
    const sent = await spawnCli([
      '--json',
      'trigger',
      'catalog.product.created',
      '--to',
      publicUrl.replace('relay.internal.test', '127.0.0.1'),
      '--secret',
      SECRET,
    ]);
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout).deliveries[0].status).toBe(200);
  });

  it('a proxy that cannot reach the relay is named in the reconnecting line', async () => {
    const proxy = await proxyFor({});
    const listener = spawnListen('ws://relay.internal.test:9', [], { secret: SECRET, env: { HTTP_PROXY: proxy.url } });
    cleanups.push(() => listener.stop());
    const line = await listener.waitFor(/(relay: reconnecting.*)/);
    expect(line).toContain(
      `the proxy ${proxy.url} (HTTP_PROXY) answered 502 Bad Gateway on the way to ws://relay.internal.test:9 — check HTTP_PROXY, or add relay.internal.test to NO_PROXY`,
    );
  });
});

describe('listen --register through HTTP_PROXY, with a profile', () => {
  it('registers and removes its webhook through the proxy, at the API the profile names', async () => {
    // Reached under a name of the proxy's: allowed by name (against DNS rebinding it answers loopback names only).
    const s = await startServe(['--allow-host', 'api.internal.test']);
    cleanups.push(() => s.stop());
    const proxy = await proxyFor({ 'api.internal.test': '127.0.0.1' });
    const apiUrl = `http://api.internal.test:${new URL(s.url).port}`;
    const configDir = tempDir();
    for (const [key, value] of [
      ['api-url', apiUrl],
      ['token', 'test-token'],
    ] as const) {
      expect((await spawnCli(['config', 'set', key, value, '--profile', 'staging'], { configDir })).exitCode).toBe(0);
    }
    // 127.0.0.1 (the listener's own address, which the emulator delivers to) goes direct.
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1', WEBHOOKS_PROFILE: 'staging' };
    const listener = await startListen(['--no-tui', '--secret', SECRET, '--register', '--verbose'], { configDir, env });
    cleanups.push(() => listener.stop());
    const hooks = await until(
      async () => {
        const listed = (await s.call('GET', '/api/v1/webhooks')).json.data as Array<{ id: string; url: string }>;
        return listed.length ? listed : undefined;
      },
      10_000,
      'the registered webhook',
    );
    expect(hooks[0]!.url).toBe(listener.url);
    const stopped = await listener.stop();
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain(`requests to ${apiUrl} go through the proxy ${proxy.url} (HTTP_PROXY)`);
    expect(stopped.stderr).toContain(`removed webhook ${hooks[0]!.id}`);
    expect(proxy.seen.filter((line) => line.includes(`api.internal.test:${new URL(s.url).port}`))).toHaveLength(2);
    expect((await s.call('GET', '/api/v1/webhooks')).json.data).toEqual([]);
  });
});
