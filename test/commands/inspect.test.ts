/**
 * Where the inspector is served: `listen --inspect ADDR|PORT` and `--no-inspect`, the ready line's
 * `inspector_url`, and `webhooks-cli inspect` over a history alone — in-process, with real sockets.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInspectAddress } from '../../src/commands/listen-options.js';
import { tempDir } from '../helpers/cli.js';
import { runCli, stopSignals } from '../helpers/run-cli.js';
import { until } from '../helpers/until.js';

/** Runs a long-running command until its first JSON line; returns it and how to stop. */
async function untilReady(argv: string[], configDir = tempDir()) {
  const signals = stopSignals();
  let out = '';
  const run = runCli(argv, { configDir, signals: signals.source, onStdout: (text) => (out += text) });
  const ready = await until(() =>
    out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as Record<string, unknown>) : undefined,
  );
  return { ready, run, stop: () => signals.send('SIGTERM') };
}

describe('listen --inspect', () => {
  it('prints the inspector’s URL, token included, in the ready line and the banner; the page and its API answer there', async () => {
    const listen = await untilReady([
      '--json',
      'listen',
      '--port',
      '0',
      '--secret',
      's3cret',
      '--inspect',
      '127.0.0.1:0',
    ]);
    const url = String(listen.ready.inspector_url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/assets/inspector.js"></script>');
    const token = new URL(url).searchParams.get('token')!;
    const info = await fetch(new URL('/api/info', url), { headers: { 'x-inspector-token': token } });
    expect(await info.json()).toMatchObject({ mode: 'listen', listenerUrl: listen.ready.url, canSign: true });
    listen.stop();
    const result = await listen.run;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`inspector on ${url} — open it in a browser`);
    // Closed with listen.
    await expect(fetch(url)).rejects.toThrow();
  });

  it('--no-inspect serves none: the ready line says null', async () => {
    const listen = await untilReady(['--json', 'listen', '--port', '0', '--secret', 's3cret', '--no-inspect']);
    expect(listen.ready).toMatchObject({ type: 'listening', inspector_url: null });
    listen.stop();
    const result = await listen.run;
    expect(result.stderr).not.toContain('inspector');
  });

  it('reads a port, an address and port, or an address; anything else is a usage error', async () => {
    expect(parseInspectAddress(undefined)).toEqual({ host: '127.0.0.1', port: 4040, nextFreePort: true });
    expect(parseInspectAddress('4141')).toEqual({ host: '127.0.0.1', port: 4141, nextFreePort: false });
    expect(parseInspectAddress('0.0.0.0:4141')).toEqual({ host: '0.0.0.0', port: 4141, nextFreePort: false });
    expect(parseInspectAddress('[::1]:4141')).toEqual({ host: '::1', port: 4141, nextFreePort: false });
    expect(parseInspectAddress('localhost')).toEqual({ host: 'localhost', port: 4040, nextFreePort: true });
    const bad = await runCli(['listen', '--port', '0', '--secret', 's', '--inspect', '127.0.0.1:99999']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'error: --inspect "127.0.0.1:99999" is not an address or a port — e.g. --inspect 4041, --inspect 127.0.0.1:4041, or --no-inspect',
    );
  });
});

describe('inspect', () => {
  it('serves the inspector over a history alone, until stopped', async () => {
    const configDir = tempDir();
    const dbPath = join(configDir, 'history.db');
    const listen = await untilReady(
      ['--json', 'listen', '--port', '0', '--no-verify', '--no-inspect', '--db', dbPath],
      configDir,
    );
    await fetch(String(listen.ready.url), { method: 'POST', body: '{}' });
    listen.stop();
    await listen.run;

    const inspect = await untilReady(['--json', 'inspect', '--port', '0', '--db', dbPath], configDir);
    expect(inspect.ready).toMatchObject({ type: 'inspecting', db: dbPath });
    const url = new URL(String(inspect.ready.inspector_url));
    const rows = await fetch(new URL('/api/rows', url), {
      headers: { 'x-inspector-token': url.searchParams.get('token')! },
    });
    expect(((await rows.json()) as { rows: unknown[] }).rows).toHaveLength(1);
    inspect.stop();
    const result = await inspect.run;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('no secret: signatures are shown as recorded, and replays need --secret');
  });

  it('names a history that is not there', async () => {
    const result = await runCli(['inspect', '--db', join(tempDir(), 'missing.db')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: no history database at .*missing\.db — check --db/);
  });
});
