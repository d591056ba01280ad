/**
 * The API commands as a new user first meets them: `serve` started as the README shows, no token
 * configured, the URL `serve` prints pasted as --api-url, a mistyped --status, and messages that
 * say where a secret came from or that a change did nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function serve(): Promise<ServeProcess> {
  // Started without --token, as in the README: any non-empty bearer token is accepted.
  const s = await startServe();
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

async function recordingApi(): Promise<RecordingServer> {
  const server = await startRecordingServer((req) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: req.url.includes('/deliveries') ? '{"data":[]}' : JSON.stringify({ data: [] }),
  }));
  cleanups.push(() => server.close());
  return server;
}

describe('no token configured', () => {
  it('register and list work against a local serve (the client sends `dev`)', async () => {
    const s = await serve();
    const configDir = tempDir();
    const register = await runCli(
      ['--api-url', s.url, 'register', '--url', 'http://127.0.0.1:9/hook', '--events', 'all', '--secret', 's3cret'],
      { configDir },
    );
    expect(register.stderr).toBe('');
    expect(register.code).toBe(0);
    const list = await runCli(['--api-url', s.url, 'list'], { configDir });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('http://127.0.0.1:9/hook');
  });

  it('sends `Bearer dev` to a loopback API, and refuses a remote one before sending (exit 2)', async () => {
    const api = await recordingApi();
    const local = await runCli(['--api-url', api.url.replace('127.0.0.1', 'localhost'), 'list']);
    expect(local.code).toBe(0);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer dev');

    // No request can leave: the host does not resolve, and the check comes first.
    const remote = await runCli(['--api-url', 'https://api.example.invalid', 'list']);
    expect(remote.code).toBe(2);
    expect(remote.stderr.trim()).toBe(
      'error: no API token for https://api.example.invalid — pass --token, set WEBHOOKS_API_TOKEN, or run `webhooks-cli config set token …`',
    );
    const listen = await runCli([
      '--api-url',
      'https://api.example.invalid',
      'listen',
      '--port',
      '0',
      '--secret',
      's',
      '--register',
    ]);
    expect(listen.code).toBe(2);
    expect(listen.stderr.trim()).toMatch(/^error: no API token for https:\/\/api\.example\.invalid — /);
  });

  it('a configured token still wins over the default', async () => {
    const api = await recordingApi();
    const result = await runCli(['--api-url', api.url, 'list'], { env: { WEBHOOKS_API_TOKEN: 'tok_env' } });
    expect(result.code).toBe(0);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer tok_env');
  });
});

describe('--api-url as `serve` prints it', () => {
  it('accepts the base URL with /api/v1 or /api/v1/ and requests the same paths', async () => {
    const api = await recordingApi();
    for (const base of [api.url, `${api.url}/`, `${api.url}/api/v1`, `${api.url}/api/v1/`]) {
      const result = await runCli(['--api-url', base, '--token', 't', 'list']);
      expect(result.code, base).toBe(0);
    }
    const deliveries = await runCli([
      '--api-url',
      `${api.url}/api/v1`,
      '--token',
      't',
      'deliveries',
      'wh_1',
      '--status',
      'failed',
    ]);
    expect(deliveries.code).toBe(0);
    expect(api.requests.map((r) => r.url)).toEqual([
      ...Array(4).fill('/api/v1/webhooks'),
      '/api/v1/webhooks/wh_1/deliveries?status=failed&limit=50',
    ]);
  });

  it('works end to end against serve with the printed URL', async () => {
    const s = await serve();
    const result = await runCli(['--api-url', `${s.url}/api/v1`, 'list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no webhooks');
  });
});

describe('local checks of enumerated options', () => {
  it('deliveries --status bogus is a usage error naming the flag, before any request', async () => {
    const api = await recordingApi();
    const result = await runCli(['--api-url', api.url, '--token', 't', 'deliveries', 'wh_1', '--status', 'bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--status <status>' argument 'bogus' is invalid");
    expect(result.stderr).toContain('succeeded, failed, pending, skipped');
    expect(api.requests).toHaveLength(0);
    const code = await runCli(['--api-url', api.url, '--token', 't', 'deliveries', 'wh_1', '--status', '500']);
    expect(code.code).toBe(0);
    expect(api.requests[0]!.url).toBe('/api/v1/webhooks/wh_1/deliveries?status=500&limit=50');
  });
});

describe('saying what happened', () => {
  it('register without --secret says the secret came from WEBHOOKS_SECRET or the config', async () => {
    const s = await serve();
    const fromEnv = await runCli(
      ['--api-url', s.url, 'register', '--url', 'http://127.0.0.1:9/hook', '--events', 'all'],
      { env: { WEBHOOKS_SECRET: 'env-secret' } },
    );
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stderr).toContain('signing with the secret from WEBHOOKS_SECRET');
    expect(fromEnv.stdout).not.toContain('env-secret');

    const configDir = tempDir();
    expect((await runCli(['config', 'set', 'secret', 'stored-secret'], { configDir })).code).toBe(0);
    const fromConfig = await runCli(
      ['--api-url', s.url, 'register', '--url', 'http://127.0.0.1:9/hook', '--events', 'all'],
      { configDir },
    );
    expect(fromConfig.code).toBe(0);
    expect(fromConfig.stderr).toContain('signing with the secret stored by `config set secret`');

    const given = await runCli(
      [
        '--api-url',
        s.url,
        'register',
        '--url',
        'http://127.0.0.1:9/hook',
        '--events',
        'all',
        '--secret',
        'flag-secret',
      ],
      { configDir },
    );
    expect(given.stderr).toBe('');
  });

  it('update --remove-event of a type the webhook lacks warns on stderr and still exits 0', async () => {
    const s = await serve();
    const created = await s.call('POST', '/api/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['catalog.product.created', 'customer.cart.added'],
      secret: 's3cret',
      active: true,
    });
    const id = created.json.id as string;
    const result = await runCli([
      '--api-url',
      s.url,
      'update',
      id,
      '--remove-event',
      'search.zero_results,customer.cart.added',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr.trim()).toBe(
      `warning: ${id} is not subscribed to search.zero_results — nothing to remove there`,
    );
    expect((await s.call('GET', `/api/v1/webhooks/${id}`)).json.events).toEqual(['catalog.product.created']);
  });
});
