/**
 * The API client through a real forward proxy on loopback. `api.internal.test` resolves only
 * inside the proxy, so a request that bypassed it would fail; NO_PROXY sends a host direct;
 * --verbose names the proxy; a proxy that refuses is one line naming it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.js';
import { runCli } from '../helpers/run-cli.js';
import { freePort, type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let api: RecordingServer | undefined;
let proxy: ForwardProxy | undefined;
afterEach(async () => {
  await Promise.all([api?.close(), proxy?.close()]);
  api = proxy = undefined;
});

async function start() {
  api = await startRecordingServer(() => ({
    status: 200,
    body: '{"data": [{"id": "wh_1", "url": "https://e.example/1", "events": []}]}',
    headers: { 'content-type': 'application/json' },
  }));
  proxy = await startForwardProxy({ 'api.internal.test': '127.0.0.1' });
  return { api, proxy, internalUrl: `http://api.internal.test:${api.port}` };
}

describe('HTTP_PROXY / HTTPS_PROXY / NO_PROXY', () => {
  it('reaches a host only the proxy resolves, and --verbose says the proxy is used', async () => {
    const { internalUrl } = await start();
    const result = await runCli(['--api-url', internalUrl, '--token', 'tok', '--verbose', 'list'], {
      env: { HTTP_PROXY: proxy!.url },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('wh_1');
    expect(result.stderr).toContain(`requests to ${internalUrl} go through the proxy ${proxy!.url} (HTTP_PROXY)`);
    expect(proxy!.seen.some((s) => s.includes(`api.internal.test:${api!.port}`))).toBe(true);
    expect(api!.requests[0]!.headers.authorization).toBe('Bearer tok');
  });

  it('without the proxy the same host is unreachable (nothing else resolves it)', async () => {
    const { internalUrl } = await start();
    const result = await runCli(['--api-url', internalUrl, '--token', 'tok', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot resolve the API host "api.internal.test"');
    expect(api!.requests).toHaveLength(0);
  });

  it('HTTPS_PROXY is not used for an http URL, as curl does', async () => {
    const { internalUrl } = await start();
    const result = await runCli(['--api-url', internalUrl, '--token', 'tok', 'list'], {
      env: { HTTPS_PROXY: proxy!.url },
    });
    expect(result.code).toBe(1);
    expect(proxy!.seen).toEqual([]);
  });

  it('NO_PROXY sends a named host direct', async () => {
    await start();
    const result = await runCli(['--api-url', api!.url, '--token', 'tok', '--verbose', 'list'], {
      env: { HTTP_PROXY: proxy!.url, NO_PROXY: 'localhost,127.0.0.1' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy!.seen).toEqual([]);
    expect(api!.requests).toHaveLength(1);
    expect(result.stderr).not.toContain('proxy');
  });

  it('a proxy that refuses the connection: one line naming it', async () => {
    const { internalUrl } = await start();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli(['--api-url', internalUrl, '--token', 'tok', 'list'], { env: { http_proxy: closed } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: the proxy ${closed} (HTTP_PROXY) refused the connection on the way to ${internalUrl} — check HTTP_PROXY, or add api.internal.test to NO_PROXY`,
    );
  });
});
