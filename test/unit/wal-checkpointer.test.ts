/** The WAL checkpointer on a real history file and a real worker thread. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { FALLBACK_PAGES, startWalCheckpointer, type CheckpointResult } from '../../src/store/wal-checkpointer.js';
import { tempDir } from '../helpers/cli.js';
import { until } from '../helpers/until.js';

const body = Buffer.alloc(2048, 'x');
const record = (i: number): DeliveryRecord => ({
  direction: 'in', source: 'listen', createdAt: Date.now(), event: 'customer.cart.added', deliveryId: `dlv_${i}`, method: 'POST', url: '/webhook', remoteAddress: null,
  requestHeaders: {}, requestBody: body, status: 200, responseHeaders: {}, responseBody: null, durationMs: 1, error: null, signatureValid: true, signatureError: null, duplicate: false, replayOf: null,
});

describe('checkpointInBackground', () => {
  it('copies the WAL back from another thread while the writer writes, keeping the WAL small, and leaves no WAL after close', async () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    const results: CheckpointResult[] = [];
    const checkpointer = store.checkpointInBackground((result) => result && results.push(result));
    // The writer leaves checkpoints to the worker: 33 MB of rows would pass its usual 4 MB
    // threshold eight times. Each commit asks the worker to copy the WAL back; once it has, the
    // next commit starts the WAL over from its beginning, so the file never grows past a few batches.
    let written = 0;
    let largestWal = 0;
    for (let batch = 0; batch < 40; batch++) {
      const before = results.length;
      store.insertMany(Array.from({ length: 400 }, () => record(written++)));
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
      await until(() => results.length > before && results[results.length - 1]!.checkpointed === results[results.length - 1]!.log, 10_000, 'the checkpoint after the commit');
    }
    expect(largestWal).toBeLessThan(4 * 1024 * 1024);
    expect(FALLBACK_PAGES * 4096).toBeGreaterThan(32 * 1024 * 1024);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM deliveries').get()).toEqual({ n: written });
    reader.close();
    await checkpointer.stop();
    store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a worker that cannot open the file gives the writer its own checkpoints back', async () => {
    const thresholds: number[] = [];
    const checkpointer = startWalCheckpointer(join(tempDir(), 'missing.db'), (pages) => thresholds.push(pages));
    await until(() => thresholds.length === 2, 5_000, 'the fallback');
    expect(thresholds).toEqual([FALLBACK_PAGES, 1000]);
    await checkpointer.stop();
  });
});
