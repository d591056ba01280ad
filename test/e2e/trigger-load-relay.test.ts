/**
 * A `--rate` load run through the relay to `listen --relay`, all real processes: every delivery
 * reaches the listener verified and is recorded on both sides, the sender's history and the
 * listener's, under the same delivery ids.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { spawnListen } from '../helpers/relay-listen.js';
import { startRelayProcess } from '../helpers/relay-process.js';

const SECRET = 's3cret';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

function deliveryIds(dbPath: string, direction: 'in' | 'out'): string[] {
  const store = HistoryStore.open(dbPath);
  try {
    return store.list({ direction, limit: 10_000 }).map((r) => r.deliveryId!);
  } finally {
    store.close();
  }
}

describe('trigger --rate through the relay', () => {
  it('every delivery reaches listen --relay verified, and both histories hold the same ids', async () => {
    // Above the relay's default 50 requests a second per channel: this test is about the load, not the limit.
    const relay = await startRelayProcess(0, ['--rate-limit', '1000']);
    cleanups.push(() => relay.stop());
    const listener = spawnListen(relay.wsUrl, [], { secret: SECRET });
    cleanups.push(() => listener.stop());
    const publicUrl = await listener.waitFor(/relay: connected — public URL (\S+)/);

    const senderDir = tempDir();
    const result = await spawnCli(
      ['--json', 'trigger', '--all', '--rate', '100', '--duration', '2s', '--to', publicUrl, '--secret', SECRET],
      { configDir: senderDir, timeout: 60_000 },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ sent: 200, succeeded: 200, errors: 0 });

    expect((await listener.stop()).exitCode).toBe(0);
    const sent = deliveryIds(join(senderDir, 'history.db'), 'out');
    const received = deliveryIds(listener.dbPath, 'in');
    expect(sent).toHaveLength(200);
    expect(new Set(received)).toEqual(new Set(sent));
    const store = HistoryStore.open(listener.dbPath);
    try {
      expect(store.list({ direction: 'in', limit: 10_000 }).every((r) => r.signatureValid === true)).toBe(true);
    } finally {
      store.close();
    }
  }, 90_000);
});
