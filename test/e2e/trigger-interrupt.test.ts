/**
 * Ctrl-C in a real `trigger --count 20000` load run against a recording receiver (node:http): the
 * run stops sending, waits a moment for answers, records every request it sent and exits 130 with
 * the partial summary marked interrupted. Whatever the receiver saw is in the history.
 */

import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { BIN, isolatedEnv, tempDir } from '../helpers/cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function startLoad(configDir: string, url: string, extra: string[] = []) {
  return execa(
    process.execPath,
    [
      BIN,
      'trigger',
      'catalog.product.created',
      '--to',
      url,
      '--secret',
      SECRET,
      '--count',
      '20000',
      '--concurrency',
      '20',
      ...extra,
    ],
    {
      reject: false,
      env: isolatedEnv(configDir),
      extendEnv: true,
      timeout: 60_000,
    },
  );
}

/** Every record of the history (the spool imported first), by delivery id. */
function historyByDeliveryId(configDir: string) {
  const store = HistoryStore.open(join(configDir, 'history.db'));
  try {
    const rows = store.list({ limit: 1_000_000 });
    return new Map(rows.map((r) => [r.deliveryId!, r]));
  } finally {
    store.close();
  }
}

describe('trigger interrupted by Ctrl-C', () => {
  it('stops sending, records every request sent (unanswered ones "interrupted"), prints the partial summary and exits 130', async () => {
    // A receiver that now and then takes far too long, as a slow database behind a handler does:
    // some requests are still waiting for an answer when Ctrl-C comes.
    let seen = 0;
    server = await startRecordingServer(() =>
      ++seen % 200 === 0 ? { status: 200, body: 'ok', delayMs: 20_000 } : { status: 200, body: 'ok' },
    );
    const configDir = tempDir();
    const load = startLoad(configDir, `${server.url}/webhook`, ['--json']);
    await until(() => server!.requests.length >= 1_000, 30_000, 'the receiver saw 1000 requests');
    load.kill('SIGINT');
    const result = await load;

    expect(result.exitCode).toBe(130);
    const { summary } = JSON.parse(result.stdout);
    expect(summary.interrupted).toBe(true);
    expect(JSON.parse(result.stdout).ok).toBe(false);
    expect(summary.sent).toBeLessThan(20_000);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^interrupted: ${summary.sent} of 20000 sent, each recorded in the history`)),
    ]);

    const history = historyByDeliveryId(configDir);
    const seenIds = server.requests.map((r) => String(r.headers['x-webhook-delivery']));
    const missing = seenIds.filter((id) => !history.has(id));
    expect(missing).toEqual([]);
    // Nothing recorded twice, nothing recorded that was not in the summary.
    expect(history.size).toBe(summary.sent);
    const interrupted = [...history.values()].filter((r) => r.error === 'interrupted');
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.every((r) => r.status === null)).toBe(true);
    expect(summary.status_counts.interrupted).toBe(interrupted.length);
    expect(summary.succeeded).toBe([...history.values()].filter((r) => r.status === 200).length);
  }, 90_000);

  it('a second Ctrl-C stops waiting for answers at once; what was sent is still recorded, and the plain summary says interrupted', async () => {
    // A receiver that stops answering altogether after a while (a handler stuck on a lock).
    server = await startRecordingServer(() =>
      server!.requests.length > 300 ? { status: 200, delayMs: 60_000 } : { status: 200 },
    );
    const configDir = tempDir();
    const load = startLoad(configDir, `${server.url}/webhook`);
    await until(() => server!.requests.length >= 320, 30_000, 'the receiver saw 320 requests');
    load.kill('SIGINT');
    // The first signal is being handled once no more requests arrive; then the second one.
    await until(
      async () => {
        const before = server!.requests.length;
        await new Promise((r) => setTimeout(r, 100));
        return server!.requests.length === before;
      },
      10_000,
      'sending stopped',
    );
    load.kill('SIGINT');
    const result = await load;

    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(/^interrupted: sent \d+ in /);
    const history = historyByDeliveryId(configDir);
    for (const r of server.requests) expect(history.has(String(r.headers['x-webhook-delivery']))).toBe(true);
    const held = server.requests.length - 300;
    expect([...history.values()].filter((r) => r.error === 'interrupted')).toHaveLength(held);
  }, 90_000);
});
