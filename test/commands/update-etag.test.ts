/**
 * Concurrent read-modify-writes of one webhook against the emulator: `update --add-event` reads
 * the webhook's ETag and PATCHes with If-Match, retrying on 412, so no change undoes another.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { type RunningEmulator, startEmulator } from '../../src/emulator/emulator.js';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function emulatorWithWebhook(): Promise<{ url: string; id: string }> {
  emulator = await startEmulator({
    statePath: join(tempDir(), 'emulator.db'),
    port: 0,
    host: '127.0.0.1',
    timeScale: 1,
  });
  const created = await runCli([
    '--api-url',
    emulator.url,
    '--json',
    'register',
    '--url',
    'http://127.0.0.1:9/hooks',
    '--events',
    'catalog.product.created',
    '--secret',
    's3cret',
  ]);
  return { url: emulator.url, id: (JSON.parse(created.stdout) as { id: string }).id };
}

describe('update --add-event, 16 at once', () => {
  it('keeps every event each of them added', async () => {
    const { url, id } = await emulatorWithWebhook();
    const results = await Promise.all(
      EVENT_TYPES.map((event) => runCli(['--api-url', url, 'update', id, '--add-event', event])),
    );
    expect(results.map((r) => [r.code, r.stderr])).toEqual(EVENT_TYPES.map(() => [0, '']));
    expect(EVENT_TYPES).toHaveLength(16);
    expect([...emulator!.store.getWebhook(id)!.events].sort()).toEqual([...EVENT_TYPES].sort());
  });
});

describe('the emulator and ETags', () => {
  it('gives each webhook an ETag that changes with each update, and answers 412 to a stale If-Match', async () => {
    const { url, id } = await emulatorWithWebhook();
    const headers = { authorization: 'Bearer dev', 'content-type': 'application/json' };
    const read = await fetch(`${url}/api/v1/webhooks/${id}`, { headers });
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^"v\d+"$/);
    const patch = (ifMatch: string, body: unknown) =>
      fetch(`${url}/api/v1/webhooks/${id}`, {
        method: 'PATCH',
        headers: { ...headers, 'if-match': ifMatch },
        body: JSON.stringify(body),
      });
    const first = await patch(etag, { debug_mode: true });
    expect(first.status).toBe(200);
    const next = first.headers.get('etag')!;
    expect(next).not.toBe(etag);
    const stale = await patch(etag, { events: ['customer.cart.added'] });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('precondition_failed');
    expect(emulator!.store.getWebhook(id)!.events).toEqual(['catalog.product.created']);
    expect((await patch(`"v0", ${next}`, { active: true })).status).toBe(200);
    expect((await patch('*', { active: true })).status).toBe(200);
  });
});
