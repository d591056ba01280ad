/**
 * trigger, replay and smoke through a real forward proxy on loopback. `app.internal.test`
 * resolves only inside the proxy, so a request that bypassed it would fail; an http:// target is
 * sent to the proxy in absolute form (`POST http://app.internal.test:…/webhook`), as curl sends
 * it; NO_PROXY sends a host direct; a proxy that refuses, or wants credentials, is one line naming it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { startExampleReceiver } from '../fixture-apps/webhook-receiver.js';
import { tempDir } from '../helpers/cli.js';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.js';
import { runCli } from '../helpers/run-cli.js';
import { freePort, type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function receiverAndProxy(
  options: { credentials?: string } = {},
): Promise<{ app: RecordingServer; proxy: ForwardProxy; target: string }> {
  const app = await startRecordingServer((req) => ({
    status: verify(req.body, req.headers['x-webhook-signature'], [SECRET]).valid ? 200 : 401,
  }));
  const proxy = await startForwardProxy({ 'app.internal.test': '127.0.0.1' }, options);
  cleanups.push(
    () => app.close(),
    () => proxy.close(),
  );
  return { app, proxy, target: `http://app.internal.test:${app.port}/webhook` };
}

describe('trigger through HTTP_PROXY', () => {
  it('sends to a host only the proxy resolves, in absolute form, signed as ever; --verbose names the proxy', async () => {
    const { app, proxy, target } = await receiverAndProxy();
    const result = await runCli(
      ['--verbose', 'trigger', 'catalog.product.created', '--to', target, '--secret', SECRET],
      { env: { HTTP_PROXY: proxy.url } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `requests to http://app.internal.test:${app.port} go through the proxy ${proxy.url} (HTTP_PROXY)`,
    );
    expect(proxy.seen).toEqual([`POST ${target}`]);
    expect(app.requests).toHaveLength(1);
    expect(app.requests[0]!.headers.host).toBe(`app.internal.test:${app.port}`);
    expect(app.requests[0]!.headers['x-webhook-event']).toBe('catalog.product.created');
  });

  it("a load run goes through the proxy too (undici's pooled client), every delivery signed; a refusing proxy is named once", async () => {
    const { app, proxy, target } = await receiverAndProxy();
    const result = await runCli(
      [
        'trigger',
        'catalog.product.created',
        '--rate',
        '100',
        '--count',
        '40',
        '--to',
        target,
        '--secret',
        SECRET,
        '--json',
      ],
      { env: { HTTP_PROXY: proxy.url } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).summary).toMatchObject({ sent: 40, succeeded: 40 });
    expect(app.requests).toHaveLength(40);
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.every((line) => line.includes(`app.internal.test:${app.port}`))).toBe(true);

    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await runCli(
      ['trigger', 'catalog.product.created', '--count', '40', '--to', target, '--secret', SECRET],
      { env: { HTTP_PROXY: closed } },
    );
    expect(refused.code).toBe(1);
    const errors = refused.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error: 40 of 40 deliveries failed: the proxy ${closed.replace(/[.]/g, '\\.')} \\(HTTP_PROXY\\) refused the connection on the way to`,
        ),
      ),
    ]);
  });

  it('without the proxy the same host is unreachable (nothing else resolves it)', async () => {
    const { app, target } = await receiverAndProxy();
    const result = await runCli(['trigger', 'catalog.product.created', '--to', target, '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot resolve host "app.internal.test"');
    expect(app.requests).toHaveLength(0);
  });

  it('NO_PROXY sends a named host direct, and --verbose then says nothing of a proxy', async () => {
    const { app, proxy } = await receiverAndProxy();
    const result = await runCli(
      ['--verbose', 'trigger', 'catalog.product.created', '--to', `${app.url}/webhook`, '--secret', SECRET],
      { env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.seen).toEqual([]);
    expect(app.requests).toHaveLength(1);
    expect(result.stderr).not.toContain('proxy');
  });

  it('a proxy that refuses the connection: one line naming it, exit 1', async () => {
    const { target } = await receiverAndProxy();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli(['trigger', 'catalog.product.created', '--to', target, '--secret', SECRET], {
      env: { http_proxy: closed },
    });
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      `error: 1 of 1 deliveries failed: the proxy ${closed} (HTTP_PROXY) refused the connection on the way to http://app.internal.test:${new URL(target).port} — check HTTP_PROXY, or add app.internal.test to NO_PROXY`,
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a proxy that wants credentials (407) is named with the fix; user:password in HTTP_PROXY passes it', async () => {
    const { app, proxy, target } = await receiverAndProxy({ credentials: 'dev:pa55' });
    const refused = await runCli(['trigger', 'catalog.product.created', '--to', target, '--secret', SECRET], {
      env: { HTTP_PROXY: proxy.url },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `the proxy ${proxy.url} (HTTP_PROXY) answered 407 Proxy Authentication Required (it wants credentials) on the way to http://app.internal.test:${app.port} — put the user and password in HTTP_PROXY`,
    );
    expect(app.requests).toHaveLength(0);

    const withCredentials = proxy.url.replace('http://', 'http://dev:pa55@');
    const passed = await runCli(
      ['--verbose', 'trigger', 'catalog.product.created', '--to', target, '--secret', SECRET],
      { env: { HTTP_PROXY: withCredentials } },
    );
    expect(passed.code, passed.stderr).toBe(0);
    expect(app.requests).toHaveLength(1);
    // The password never printed; the receiver never sees the proxy's credentials.
    expect(passed.stderr).toContain(
      `go through the proxy ${proxy.url.replace('http://', 'http://dev:****@')} (HTTP_PROXY)`,
    );
    expect(passed.stderr).not.toContain('pa55');
    expect(app.requests[0]!.headers['proxy-authorization']).toBeUndefined();
  });

  it('a 502 through the proxy says the proxy may have answered it', async () => {
    const proxy = await startForwardProxy({});
    cleanups.push(() => proxy.close());
    const result = await runCli(
      ['trigger', 'catalog.product.created', '--to', 'http://gone.internal.test:8080/webhook', '--secret', SECRET],
      { env: { HTTP_PROXY: proxy.url } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the receiver answered 502 through the proxy ${proxy.url} (HTTP_PROXY), which answers so itself when it cannot reach gone.internal.test:8080`,
    );
  });
});

describe('replay and smoke through HTTP_PROXY', () => {
  it('replay re-sends through the proxy to where the original went', async () => {
    const { app, proxy, target } = await receiverAndProxy();
    const configDir = tempDir();
    const env = { HTTP_PROXY: proxy.url };
    const sent = await runCli(['--json', 'trigger', 'customer.cart.added', '--to', target, '--secret', SECRET], {
      configDir,
      env,
    });
    expect(sent.code, sent.stderr).toBe(0);
    const deliveryId = (JSON.parse(sent.stdout) as { deliveries: Array<{ delivery_id: string }> }).deliveries[0]!
      .delivery_id;

    const replayed = await runCli(['--verbose', '--json', 'replay', deliveryId, '--secret', SECRET], {
      configDir,
      env,
    });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ ok: true, status: 200, replay_of: deliveryId, url: target });
    expect(replayed.stderr).toContain(`go through the proxy ${proxy.url} (HTTP_PROXY)`);
    expect(proxy.seen).toEqual([`POST ${target}`, `POST ${target}`]);
    expect(app.requests.map((r) => r.body.toString())).toEqual([
      app.requests[0]!.body.toString(),
      app.requests[0]!.body.toString(),
    ]);
  });

  it('replay with an unreachable proxy fails with one line naming it', async () => {
    const { target } = await receiverAndProxy();
    const configDir = tempDir();
    const direct = await startRecordingServer(() => ({ status: 200 }));
    cleanups.push(() => direct.close());
    await runCli(['--json', 'trigger', 'customer.cart.added', '--to', direct.url, '--secret', SECRET], { configDir });
    const history = JSON.parse((await runCli(['--json', 'history'], { configDir })).stdout) as Array<{
      delivery_id: string;
    }>;
    const closed = `http://127.0.0.1:${await freePort()}`;
    const replayed = await runCli(['replay', history[0]!.delivery_id, '--to', target, '--secret', SECRET], {
      configDir,
      env: { HTTP_PROXY: closed },
    });
    expect(replayed.code).toBe(1);
    expect(replayed.stderr).toBe(
      `error: the replay failed: the proxy ${closed} (HTTP_PROXY) refused the connection on the way to ${new URL(target).origin} — check HTTP_PROXY, or add app.internal.test to NO_PROXY`,
    );
  });

  it('smoke passes every check against the example receiver behind the proxy, each request through it', async () => {
    const receiver = await startExampleReceiver(SECRET);
    const proxy = await startForwardProxy({ 'app.internal.test': '127.0.0.1' });
    cleanups.push(
      () => receiver.close(),
      () => proxy.close(),
    );
    const target = `http://app.internal.test:${new URL(receiver.url).port}/webhook`;
    const dir = tempDir();
    const run = await runCli(['--db', join(dir, 'history.db'), 'smoke', '--url', target, '--secret', SECRET], {
      configDir: dir,
      env: { HTTP_PROXY: proxy.url },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/smoke: all checks passed \(29 passed/);
    expect(proxy.seen.length).toBeGreaterThanOrEqual(29);
    expect(proxy.seen.every((line) => line === `POST ${target}`)).toBe(true);
  });

  it('smoke with a proxy that refuses runs no check and names the proxy once', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const dir = tempDir();
    const run = await runCli(
      [
        '--db',
        join(dir, 'history.db'),
        '--json',
        'smoke',
        '--url',
        'http://app.internal.test:9/webhook',
        '--secret',
        SECRET,
      ],
      { configDir: dir, env: { HTTP_PROXY: closed } },
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { receiver_reachable?: boolean; unreachable?: string };
    expect(JSON.stringify(report)).toContain(
      `the proxy ${closed} (HTTP_PROXY) refused the connection on the way to http://app.internal.test:9, so no check was run — check HTTP_PROXY, or add app.internal.test to NO_PROXY`,
    );
  });
});
