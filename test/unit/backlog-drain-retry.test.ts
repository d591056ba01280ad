/**
 * A read of the hold store that fails while nothing is in flight (a lock held past the busy
 * timeout, a busy disk) must not stall the drain: no acknowledgement would come to try again, so
 * the drain retries on a timer. The store is the real SQLite one; one read is made to fail.
 */
import { describe, expect, it } from 'vitest';
import { BacklogDrain } from '../../src/relay/backlog-drain.js';
import { SqliteHoldStore } from '../../src/store/sqlite-hold-store.js';
import { decodeFrame } from '../../src/tunnel/frame-codec.js';
import { tempDir } from '../helpers/cli.js';
import { until } from '../helpers/until.js';

describe('the backlog drain after a failed read', () => {
  it('tries again by itself and sends what is held', async () => {
    const store = await SqliteHoldStore.open(tempDir());
    const channel = 'ch_retryretryretryretry1';
    await store.remember(channel, null);
    for (let n = 0; n < 3; n++)
      await store.hold(
        {
          channel,
          method: 'POST',
          path: '/',
          headers: { 'x-webhook-delivery': `dlv_${n}` },
          remoteAddress: '127.0.0.1',
          receivedAt: Date.now(),
          body: Buffer.from(`{"n":${n}}`),
        },
        { maxCount: 100, maxBytes: 1024 * 1024 },
      );
    const read = store.read.bind(store);
    let failures = 1;
    store.read = (...args) => (failures-- > 0 ? Promise.reject(new Error('database is locked')) : read(...args));
    const sent: string[] = [];
    const warnings: string[] = [];
    const drain = new BacklogDrain({
      channel,
      store,
      holdForMs: 60_000,
      send: (frame) => {
        const decoded = decodeFrame(frame);
        if (decoded.ok && decoded.frame.kind === 'held') sent.push(String(decoded.frame.headers['x-webhook-delivery']));
      },
      log: (level, message) => {
        if (level === 'warn') warnings.push(message);
      },
    });
    await drain.start({ take: 'all' });
    expect(sent).toEqual([]);
    expect(warnings[0]).toMatch(/reading held deliveries failed: database is locked; retried in 1 s/);
    await until(() => sent.length === 3, 5_000, 'the held deliveries sent after the retry');
    expect(sent).toEqual(['dlv_0', 'dlv_1', 'dlv_2']);
    drain.stop();
    await store.close();
  });
});
