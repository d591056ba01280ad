/** The emulator's SQLite store on real files: migrations, the webhook cache, attempts and their listing. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EMULATOR_MIGRATIONS } from '../../src/emulator/emulator-migrations.js';
import { EmulatorStore, type NewWebhook } from '../../src/emulator/emulator-store.js';
import { tempDir } from '../helpers/cli.js';
import { moduleForChild } from '../helpers/module-for-child.js';

const webhook = (id: string, extra: Partial<NewWebhook> = {}): NewWebhook => ({
  id,
  url: `https://example.com/${id}`,
  events: ['customer.cart.added'],
  secret: 's3cret',
  active: true,
  debugMode: false,
  createdAt: 1,
  updatedAt: 1,
  consecutiveFailures: 0,
  disabledReason: null,
  disabledAt: null,
  ...extra,
});

function failed(deliveryId: string, deliverySeq: number, attempt: number, at: number) {
  return {
    attempt: {
      deliveryId,
      deliverySeq,
      webhookId: 'wh_a',
      attempt,
      startedAt: at,
      succeeded: false,
      responseStatus: 500,
      durationMs: 1,
      error: 'answered 500',
    },
    outcome: { state: 'pending' as const, nextAttemptAt: at + 1000, stateReason: null },
    disabledReason: 'too many failures',
  };
}

describe('emulator store', () => {
  it('migrates a new file to the latest schema and keeps everything across reopening', () => {
    const path = join(tempDir(), 'emulator.db');
    const store = EmulatorStore.open(path);
    expect(store.schemaVersion).toBe(EMULATOR_MIGRATIONS.length);
    store.createWebhook(webhook('wh_a'));
    store.enqueue([
      { id: 'dlv_1', webhookId: 'wh_a', event: 'customer.cart.added', body: Buffer.from('{"a":1}'), createdAt: 10 },
    ]);
    store.close();
    const again = EmulatorStore.open(path);
    expect(again.getWebhook('wh_a')).toMatchObject({
      url: 'https://example.com/wh_a',
      events: ['customer.cart.added'],
    });
    expect(again.dueDeliveries(10, 10)).toEqual([
      {
        id: 'dlv_1',
        seq: 1,
        webhookId: 'wh_a',
        event: 'customer.cart.added',
        body: Buffer.from('{"a":1}'),
        attemptsMade: 0,
        copyPlanned: false,
        duplicate: false,
      },
    ]);
    again.close();
  });

  it('refuses a file that is not an emulator database, and one from a newer version', () => {
    const dir = tempDir();
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${EMULATOR_MIGRATIONS.length + 1}`);
    db.close();
    expect(() => EmulatorStore.open(newer)).toThrow(/newer webhooks-cli/);
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'this is not SQLite, just text that is long enough to be read as a header……………………………………');
    expect(() => EmulatorStore.open(garbage)).toThrow(/is damaged or is not a webhooks-cli emulator database/);
  });

  it('keeps subscribers and copies in step with writes', () => {
    const store = EmulatorStore.open(join(tempDir(), 'emulator.db'));
    store.createWebhook(webhook('wh_a'));
    store.createWebhook(webhook('wh_b', { events: ['search.zero_results'] }));
    expect(store.subscriberIds('customer.cart.added')).toEqual(['wh_a']);
    store.updateWebhook('wh_b', { events: ['customer.cart.added'] }, 2);
    expect(store.subscriberIds('customer.cart.added')).toEqual(['wh_a', 'wh_b']);
    store.updateWebhook('wh_a', { active: false }, 3);
    expect(store.subscriberIds('customer.cart.added')).toEqual(['wh_b']);
    store.deleteWebhook('wh_b');
    expect(store.subscriberIds('customer.cart.added')).toEqual([]);
    // Callers get copies: changing one does not change the store.
    store.getWebhook('wh_a')!.events.push('x');
    expect(store.getWebhook('wh_a')!.events).toEqual(['customer.cart.added']);
    store.close();
  });

  it('counts consecutive failures, disables at the threshold in the same transaction, and re-activation resets', () => {
    const path = join(tempDir(), 'emulator.db');
    const store = EmulatorStore.open(path);
    store.createWebhook(webhook('wh_a'));
    store.enqueue(
      [1, 2, 3].map((n) => ({
        id: `dlv_${n}`,
        webhookId: 'wh_a',
        event: 'customer.cart.added',
        body: Buffer.from('{}'),
        createdAt: n,
      })),
    );
    const results = store.recordAttempts(
      [failed('dlv_1', 1, 1, 100), failed('dlv_2', 2, 1, 101), failed('dlv_3', 3, 1, 102)],
      3,
    );
    expect(results).toEqual([
      { consecutiveFailures: 1, disabled: false },
      { consecutiveFailures: 2, disabled: false },
      { consecutiveFailures: 3, disabled: true },
    ]);
    expect(store.getWebhook('wh_a')).toMatchObject({
      active: false,
      consecutiveFailures: 3,
      disabledReason: 'too many failures',
      disabledAt: 102,
    });
    expect(store.subscriberIds('customer.cart.added')).toEqual([]);
    store.close();
    // The file agrees with what the store showed.
    const reopened = EmulatorStore.open(path);
    expect(reopened.getWebhook('wh_a')).toMatchObject({ active: false, consecutiveFailures: 3 });
    expect(reopened.updateWebhook('wh_a', { active: true }, 200)).toMatchObject({
      active: true,
      consecutiveFailures: 0,
      disabledReason: null,
    });
    reopened.close();
  });

  it('lists attempts newest first with the next one to come, filtered by result or HTTP status', () => {
    const store = EmulatorStore.open(join(tempDir(), 'emulator.db'));
    store.createWebhook(webhook('wh_a'));
    store.enqueue([
      { id: 'dlv_1', webhookId: 'wh_a', event: 'customer.cart.added', body: Buffer.from('{}'), createdAt: 1 },
    ]);
    store.recordAttempts([failed('dlv_1', 1, 1, 100)], 100);
    store.recordAttempts([failed('dlv_1', 1, 2, 200)], 100);
    const rows = store.listAttempts('wh_a');
    expect(rows.map((r) => [r.attempt, r.status, r.at])).toEqual([
      [3, 'pending', 1200],
      [2, 'failed', 200],
      [1, 'failed', 100],
    ]);
    expect(store.listAttempts('wh_a', { status: 'failed' }).map((r) => r.attempt)).toEqual([2, 1]);
    expect(store.listAttempts('wh_a', { status: '500' }).map((r) => r.attempt)).toEqual([2, 1]);
    expect(store.listAttempts('wh_a', { status: '200' })).toEqual([]);
    expect(store.listAttempts('wh_a', { status: 'pending' }).map((r) => r.attempt)).toEqual([3]);
    expect(store.listAttempts('wh_a', { limit: 1 }).map((r) => r.attempt)).toEqual([3]);
    store.close();
  });

  it('a delivery planned to be duplicated gets its copy, same id and bytes, with its first attempt; a delayed one is due later', () => {
    const path = join(tempDir(), 'emulator.db');
    const store = EmulatorStore.open(path);
    store.createWebhook(webhook('wh_a'));
    store.enqueue([
      {
        id: 'dlv_1',
        webhookId: 'wh_a',
        event: 'customer.cart.added',
        body: Buffer.from('{"n":1}'),
        createdAt: 10,
        copyPlanned: true,
      },
      {
        id: 'dlv_2',
        webhookId: 'wh_a',
        event: 'customer.cart.added',
        body: Buffer.from('{"n":2}'),
        createdAt: 10,
        dueAt: 500,
      },
    ]);
    expect(store.dueDeliveries(10, 10).map((d) => [d.id, d.copyPlanned, d.duplicate])).toEqual([
      ['dlv_1', true, false],
    ]);
    const ok = { state: 'succeeded' as const, nextAttemptAt: null, stateReason: null };
    const attempt = {
      deliveryId: 'dlv_1',
      deliverySeq: 1,
      webhookId: 'wh_a',
      attempt: 1,
      startedAt: 20,
      succeeded: true,
      responseStatus: 200,
      durationMs: 1,
      error: null,
    };
    store.recordAttempts([{ attempt, outcome: ok, disabledReason: '', releaseCopy: true }], 100);
    store.close();
    // The copy is in the file: a restart sends it.
    const again = EmulatorStore.open(path);
    const due = again.dueDeliveries(Date.now(), 10);
    expect(due.map((d) => [d.id, d.body.toString(), d.copyPlanned, d.duplicate])).toEqual([
      ['dlv_2', '{"n":2}', false, false],
      ['dlv_1', '{"n":1}', false, true],
    ]);
    const copySeq = due[1]!.seq;
    again.recordAttempts(
      [
        {
          attempt: { ...attempt, deliverySeq: copySeq, startedAt: 30 },
          outcome: ok,
          disabledReason: '',
          releaseCopy: false,
        },
      ],
      100,
    );
    const rows = again.listAttempts('wh_a').filter((r) => r.deliveryId === 'dlv_1');
    expect(rows.map((r) => [r.status, r.duplicate])).toEqual([
      ['succeeded', true],
      ['succeeded', false],
    ]);
    // Only one copy: the original's plan is spent.
    expect(again.dueDeliveries(Date.now(), 10).map((d) => d.id)).toEqual(['dlv_2']);
    again.close();
  });

  it('skips every pending delivery when a webhook is disabled, by the engine or by an update, at that time and with the reason', () => {
    const store = EmulatorStore.open(join(tempDir(), 'emulator.db'));
    store.createWebhook(webhook('wh_a'));
    store.createWebhook(webhook('wh_b'));
    const deliveries = (hook: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `dlv_${hook}_${i}`,
        webhookId: hook,
        event: 'customer.cart.added',
        body: Buffer.from('{}'),
        createdAt: 1 + i,
      }));
    store.enqueue([...deliveries('wh_a', 4), ...deliveries('wh_b', 3)]);
    // The third failure disables wh_a; dlv 4 (never attempted) and the three retries owed are skipped.
    const before = Date.now();
    store.recordAttempts(
      [failed('dlv_wh_a_0', 1, 1, 100), failed('dlv_wh_a_1', 2, 1, 101), failed('dlv_wh_a_2', 3, 1, 102)],
      3,
    );
    const skipped = store.listAttempts('wh_a', { status: 'skipped' });
    expect(skipped.map((r) => r.deliveryId).sort()).toEqual(['dlv_wh_a_0', 'dlv_wh_a_1', 'dlv_wh_a_2', 'dlv_wh_a_3']);
    for (const row of skipped) {
      expect(row.error).toBe('webhook wh_a is disabled: too many failures');
      expect(row.at).toBeGreaterThanOrEqual(before);
    }
    expect(store.listAttempts('wh_a', { status: 'pending' })).toEqual([]);
    // An attempt that was in flight when it was disabled is recorded, and its retry skipped.
    store.recordAttempts([failed('dlv_wh_a_3', 4, 1, 103)], 3);
    expect(store.listAttempts('wh_a', { status: 'pending' })).toEqual([]);
    expect(store.listAttempts('wh_a', { status: 'failed' })).toHaveLength(4);
    // Set inactive by hand: the same, with its own reason; wh_b's deliveries only.
    expect(store.pendingCount()).toBe(3);
    store.updateWebhook('wh_b', { active: false }, 5_000);
    expect(store.pendingCount()).toBe(0);
    expect(store.listAttempts('wh_b').map((r) => [r.status, r.at, r.error])).toEqual(
      Array.from({ length: 3 }, () => ['skipped', 5_000, 'webhook wh_b was disabled (active set to false)']),
    );
    store.close();
  });

  it("lists newest first by each row's own time, and --limit takes exactly that many of them", () => {
    const store = EmulatorStore.open(join(tempDir(), 'emulator.db'));
    store.createWebhook(webhook('wh_a'));
    // Created in one order, attempted in another, due in a third.
    store.enqueue(
      Array.from({ length: 12 }, (_, i) => ({
        id: `dlv_${i}`,
        webhookId: 'wh_a',
        event: 'customer.cart.added',
        body: Buffer.from('{}'),
        createdAt: 1 + i,
      })),
    );
    for (let i = 0; i < 12; i += 2) store.recordAttempts([failed(`dlv_${i}`, i + 1, 1, 10_000 - i * 100)], 100);
    const all = store.listAttempts('wh_a', { limit: 100 });
    expect(all).toHaveLength(18);
    const times = all.map((r) => r.at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (let n = 1; n <= 18; n++) expect(store.listAttempts('wh_a', { limit: n })).toEqual(all.slice(0, n));
    store.close();
  });

  it('deletes a webhook with its deliveries and attempts', () => {
    const store = EmulatorStore.open(join(tempDir(), 'emulator.db'));
    store.createWebhook(webhook('wh_a'));
    store.enqueue([
      { id: 'dlv_1', webhookId: 'wh_a', event: 'customer.cart.added', body: Buffer.from('{}'), createdAt: 1 },
    ]);
    store.recordAttempts([failed('dlv_1', 1, 1, 100)], 100);
    expect(store.deleteWebhook('wh_a')).toBe(true);
    expect(store.pendingCount()).toBe(0);
    expect(store.listAttempts('wh_a')).toEqual([]);
    expect(store.deleteWebhook('wh_a')).toBe(false);
    store.close();
  });
});

describe('EmulatorStore opened by several processes at once', () => {
  it('creates a new state file exactly once (no "table already exists") and every process sees the latest schema', async () => {
    const { execa } = await import('execa');
    const path = join(tempDir(), 'race.db');
    const storeModule = await moduleForChild('src/emulator/emulator-store.ts');
    // Each child loads the module, says it is ready, and opens the file when the parent says go:
    // the opens start together instead of one process finishing before the next has loaded.
    const script = `const { EmulatorStore } = await import(${JSON.stringify(storeModule)});
      process.stdout.write('ready\\n');
      process.stdin.once('data', () => { const s = EmulatorStore.open(${JSON.stringify(path)}); process.stdout.write(String(s.schemaVersion)); s.close(); process.exit(0); });`;
    const children = Array.from({ length: 8 }, () =>
      execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, stdin: 'pipe' }),
    );
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            let seen = '';
            child.stdout!.on(
              'data',
              (chunk: Buffer) => ((seen += chunk.toString()), seen.includes('ready\n') && resolve()),
            );
            child.on('exit', () => resolve()); // a child that failed to load is reported below
          }),
      ),
    );
    for (const child of children) if (child.exitCode === null) child.stdin!.write('go\n');
    const results = await Promise.all(children);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(`ready\n${EMULATOR_MIGRATIONS.length}`);
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(EMULATOR_MIGRATIONS.length);
    db.close();
  });
});
