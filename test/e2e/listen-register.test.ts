/**
 * `listen --register` against the real emulator: the listener registers itself with its secret,
 * an event emitted through the engine arrives signed and verified, and on SIGTERM the webhook
 * is deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { startListen } from '../helpers/listen.js';
import { startRelayProcess } from '../helpers/relay-process.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { freePort } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const webhooks = async (s: ServeProcess) =>
  (await s.call('GET', '/api/v1/webhooks')).json.data as Array<{ id: string; url: string; events: string[] }>;

describe('listen --register', () => {
  it('registers the listener with its secret, receives an emitted event verified, and deletes the webhook on SIGTERM', async () => {
    const s = await startServe();
    cleanups.push(() => s.stop('SIGKILL'));
    const env = { WEBHOOKS_API_URL: s.url, WEBHOOKS_API_TOKEN: 'test-token' };
    const listener = await startListen(
      ['--secret', 's3cret', '--register', '--register-events', 'customer.cart.added,catalog.product.created'],
      { env },
    );
    cleanups.push(() => listener.stop('SIGKILL'));

    const [webhook] = await until(async () => ((await webhooks(s)).length ? webhooks(s) : undefined));
    expect(webhook).toMatchObject({ url: listener.url, events: ['customer.cart.added', 'catalog.product.created'] });

    const emitted = await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    const deliveryId = emitted.json.deliveries[0].id as string;
    const attempts = await until(async () => {
      const rows = (await s.call('GET', `/api/v1/webhooks/${webhook!.id}/deliveries`)).json.data as Array<{
        status: string;
        response_status: number;
      }>;
      return rows.some((r) => r.status !== 'pending') ? rows : undefined;
    });
    // The listener answers 200 only when the signature verifies with its secret.
    expect(attempts[0]).toMatchObject({ delivery_id: deliveryId, status: 'succeeded', response_status: 200 });

    const result = await listener.stop('SIGTERM');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`registered as webhook ${webhook!.id}`);
    expect(result.stderr).toContain(`removed webhook ${webhook!.id}`);
    expect(result.stdout).toContain(deliveryId);
    expect(await webhooks(s)).toEqual([]);

    const history = await spawnCli(['--json', 'history', '--direction', 'in'], { configDir: listener.configDir });
    expect(history.stdout).toContain(deliveryId);
  });

  it('behind a relay, registers the public URL, and the engine delivery comes through the tunnel', async () => {
    const s = await startServe();
    cleanups.push(() => s.stop('SIGKILL'));
    const relay = await startRelayProcess();
    cleanups.push(() => relay.stop('SIGKILL'));
    const env = { WEBHOOKS_API_URL: s.url, WEBHOOKS_API_TOKEN: 'test-token' };
    const listener = await startListen(
      ['--secret', 's3cret', '--relay', relay.wsUrl, '--register', '--register-events', 'search.zero_results'],
      { env },
    );
    cleanups.push(() => listener.stop('SIGKILL'));

    const [webhook] = await until(async () => ((await webhooks(s)).length ? webhooks(s) : undefined));
    expect(webhook!.url.startsWith(`${relay.url}/`)).toBe(true);

    const emitted = await s.call('POST', '/api/v1/events', { event: 'search.zero_results' });
    const deliveryId = emitted.json.deliveries[0].id as string;
    const attempts = await until(async () => {
      const rows = (await s.call('GET', `/api/v1/webhooks/${webhook!.id}/deliveries`)).json.data as Array<{
        status: string;
      }>;
      return rows.some((r) => r.status !== 'pending') ? rows : undefined;
    });
    expect(attempts[0]).toMatchObject({ delivery_id: deliveryId, status: 'succeeded', response_status: 200 });

    expect((await listener.stop('SIGTERM')).exitCode).toBe(0);
    expect(await webhooks(s)).toEqual([]);
    const [row] = JSON.parse(
      (await spawnCli(['--json', 'history', '--direction', 'in'], { configDir: listener.configDir })).stdout,
    );
    expect(row).toMatchObject({ delivery_id: deliveryId, source: 'relay', signature_valid: true });
  });

  it('fails with the fix when no API runs, and leaves no listener behind', async () => {
    const port = await freePort();
    const listenPort = await freePort();
    const result = await spawnCli(
      [
        'listen',
        '--port',
        String(listenPort),
        '--secret',
        's3cret',
        '--register',
        '--api-url',
        `http://127.0.0.1:${port}`,
      ],
      { timeout: 15_000 },
    );
    expect(result.exitCode).toBe(1);
    // The error alone: nothing that reads like a normal run ("stopped: 0 requests received").
    expect(result.stderr.trim()).toBe(
      `error: no API at http://127.0.0.1:${port} — start \`webhooks-cli serve\` or pass --api-url`,
    );
  });

  it('works out of the box with `serve` as the README shows it: no token, the printed URL', async () => {
    const s = await startServe();
    cleanups.push(() => s.stop('SIGKILL'));
    const listener = await startListen(['--secret', 's3cret', '--register', '--api-url', `${s.url}/api/v1`]);
    cleanups.push(() => listener.stop('SIGKILL'));
    const [webhook] = await until(async () => ((await webhooks(s)).length ? webhooks(s) : undefined));
    expect(webhook!.url).toBe(listener.url);
    const result = await listener.stop('SIGTERM');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`removed webhook ${webhook!.id}`);
    expect(await webhooks(s)).toEqual([]);
  });

  it('refuses an unknown --register-events type before starting (exit 2)', async () => {
    const result = await spawnCli(
      ['listen', '--port', '0', '--secret', 's3cret', '--register', '--register-events', 'customer.cart.addd'],
      { timeout: 15_000 },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('did you mean customer.cart.added');
  });
});
