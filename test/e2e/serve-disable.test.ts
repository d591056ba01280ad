/**
 * The emulator after it disables a webhook: an always-500 receiver under a time scale, so retries
 * are still waiting (with due times ahead) when the 100th failure disables it. Everything still
 * owed is skipped at once with the reason; each row shows when its attempt happened or when it was
 * skipped; the listing is newest first and `--limit N` gives exactly N rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { startServe } from '../helpers/serve.js';
import { startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Row {
  id: number | null;
  delivery_id: string;
  status: 'succeeded' | 'failed' | 'pending' | 'skipped';
  timestamp: string;
  error: string | null;
}

describe('serve: a webhook the engine disables', () => {
  it('skips every pending delivery at once with the reason, shows each row at its own time, newest first, and --limit N gives N rows', async () => {
    // 0.001: retries come 0 s, 0.3 s, 1.5 s, 7.5 s and 37.5 s apart, so the 100th failure comes
    // while the later retries of every delivery are still due ahead.
    const s = await startServe(['--time-scale', '0.001']);
    cleanups.push(() => s.stop('SIGKILL'));
    // A receiver that fails everything, as one behind a crashed database does.
    const hook = await startRecordingServer(() => ({ status: 500, body: 'internal error' }));
    cleanups.push(() => hook.close());
    const created = await s.call('POST', '/api/v1/webhooks', {
      url: `${hook.url}/hook`,
      events: ['customer.cart.added'],
      secret: 's3cret',
      active: true,
    });
    const id = created.json.id as string;
    const DELIVERIES = 30;
    for (let i = 0; i < DELIVERIES; i++)
      expect((await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' })).status).toBe(202);

    const webhook = await until(
      async () => {
        const w = (await s.call('GET', `/api/v1/webhooks/${id}`)).json;
        return w.active === false ? w : undefined;
      },
      60_000,
      'disabled',
    );
    const observedAt = Date.now();
    // At once: the disabling attempt and the skipping are one transaction.
    const list = async (query: string) =>
      (await s.call('GET', `/api/v1/webhooks/${id}/deliveries${query}`)).json.data as Row[];
    expect(await list('?status=pending')).toEqual([]);
    expect(hook.requests).toHaveLength(100);

    const all = await list('?limit=1000');
    const attempts = all.filter((r) => r.status === 'failed');
    const skipped = all.filter((r) => r.status === 'skipped');
    expect(attempts).toHaveLength(100);
    // None of the 30 deliveries had used its 6 attempts: each was still owed one.
    expect(skipped).toHaveLength(DELIVERIES);
    expect(new Set(skipped.map((r) => r.delivery_id)).size).toBe(DELIVERIES);
    for (const row of skipped) {
      expect(row.error).toBe(`webhook ${id} is disabled: ${webhook.disabled_reason}`);
      // When it was skipped: not the delivery's creation, nor a due time still ahead.
      expect(Date.parse(row.timestamp)).toBeGreaterThanOrEqual(Date.parse(webhook.disabled_at));
      expect(Date.parse(row.timestamp)).toBeLessThanOrEqual(observedAt);
    }
    // Each attempt at its own time: as many distinct attempt rows as requests the receiver got.
    expect(new Set(attempts.map((r) => r.id)).size).toBe(100);

    // Newest first, throughout.
    const times = all.map((r) => Date.parse(r.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // --limit N: exactly N rows, the first N of the whole listing — by the API and the CLI.
    for (const n of [1, 5, 9, 12, 30, 31, 99, 130]) {
      const page = await list(`?limit=${n}`);
      expect(page.map((r) => [r.delivery_id, r.status, r.timestamp])).toEqual(
        all.slice(0, n).map((r) => [r.delivery_id, r.status, r.timestamp]),
      );
    }
    for (const n of [5, 12]) {
      const cli = await spawnCli(
        ['--api-url', s.url, '--token', 'test-token', '--json', 'deliveries', id, '--limit', String(n)],
        { configDir: tempDir() },
      );
      expect(cli.exitCode).toBe(0);
      expect((JSON.parse(cli.stdout).data as Row[]).map((r) => r.delivery_id)).toEqual(
        all.slice(0, n).map((r) => r.delivery_id),
      );
    }
    expect(await list('?status=skipped&limit=7')).toEqual(skipped.slice(0, 7));
    expect(await list('?status=failed&limit=7')).toEqual(attempts.slice(0, 7));

    // Nothing more reaches the receiver, however long the retries would have waited.
    const before = hook.requests.length;
    await s.call('POST', '/api/v1/events', { event: 'customer.cart.added' });
    expect(hook.requests.length).toBe(before);
  }, 120_000);
});
