/**
 * A 202 that only means "kept for later" says so on trigger's line: a relay holding for a listener
 * that is away (`X-Relay-Held: true`), or `listen --app-down hold` keeping it for a stopped app.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function triggerAgainst(answer: { status: number; body?: string; headers?: Record<string, string> }) {
  server = await startRecordingServer(() => answer);
  return runCli(['trigger', 'catalog.product.created', '--to', server.url, '--secret', 's3cret']);
}

describe('trigger on a 202 that holds', () => {
  it('names a relay that held the delivery', async () => {
    const result = await triggerAgainst({ status: 202, headers: { 'x-relay-held': 'true' }, body: '{}' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ 202 .* held by the relay: no listener is connected yet$/m);
  });

  it('names listen holding it for an app that is down', async () => {
    const result = await triggerAgainst({ status: 202, body: '{"received": true, "held": true}' });
    expect(result.stdout).toMatch(/✓ 202 .* held by listen: the app behind it is down$/m);
  });

  it('says nothing more for a plain 202', async () => {
    const result = await triggerAgainst({ status: 202, body: '{"received": true}' });
    expect(result.stdout).not.toContain('held');
  });
});
