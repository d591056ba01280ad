import { closeSync, openSync, readdirSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DamagedFileError } from '../../src/store/damaged-file.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { importSpool, SpoolWriter } from '../../src/store/delivery-spool.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { runMigrations } from '../../src/store/schema-migrations.js';
import { tempDir } from '../helpers/cli.js';
import { moduleForChild } from '../helpers/module-for-child.js';

function record(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    direction: 'out',
    source: 'trigger',
    createdAt: Date.now(),
    event: 'catalog.product.created',
    deliveryId: `dlv_${Math.random().toString(16).slice(2)}`,
    method: 'POST',
    url: 'http://127.0.0.1:1/webhook',
    remoteAddress: null,
    requestHeaders: { 'x-webhook-event': 'catalog.product.created' },
    requestBody: Buffer.from('{"event":"catalog.product.created"}'),
    status: 200,
    responseHeaders: {},
    responseBody: Buffer.from('OK'),
    durationMs: 1.5,
    error: null,
    signatureValid: null,
    signatureError: null,
    duplicate: false,
    replayOf: null,
    ...overrides,
  };
}

describe('HistoryStore', () => {
  it('creates a fresh database at the latest schema, owner-only', () => {
    const path = join(tempDir(), 'h.db');
    const store = HistoryStore.open(path);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    store.close();
  });

  it('upgrades a version-1 database and keeps its rows', () => {
    const path = join(tempDir(), 'old.db');
    const old = new Database(path);
    runMigrations(old, MIGRATIONS, { what: 'history database', fix: 'pass --db with another path', upTo: 1 });
    old
      .prepare(`INSERT INTO deliveries (direction, source, created_at, event, delivery_id, method, url, request_headers, request_body, status)
      VALUES ('out', 'trigger', 1, 'catalog.product.deleted', 'dlv_old', 'POST', 'http://x', '{}', x'7b7d', 204)`)
      .run();
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();

    const store = HistoryStore.open(path);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(store.get('dlv_old')).toMatchObject({
      event: 'catalog.product.deleted',
      status: 204,
      replayOf: null,
      requestBody: Buffer.from('{}'),
    });
    store.close();
  });

  it('refuses a database from a newer version with a clear error', () => {
    const path = join(tempDir(), 'new.db');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => HistoryStore.open(path)).toThrow(/newer webhooks-cli/);
  });

  it('round-trips exact bytes, including invalid UTF-8', () => {
    const store = HistoryStore.open(join(tempDir(), 'h.db'));
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const id = store.insert(record({ requestBody: body, deliveryId: 'dlv_bytes' }));
    expect(store.get(id)!.requestBody.equals(body)).toBe(true);
    expect(store.get('dlv_bytes')!.id).toBe(id);
    store.close();
  });

  it('lists newest first with filters and pages by id', () => {
    const store = HistoryStore.open(join(tempDir(), 'h.db'));
    store.insertMany(
      Array.from({ length: 30 }, (_, i) =>
        record({
          event: i % 3 === 0 ? 'search.zero_results' : 'customer.cart.added',
          status: i % 2 ? 200 : 500,
          signatureValid: i === 7 ? false : null,
        }),
      ),
    );
    const firstPage = store.list({ limit: 10 });
    expect(firstPage.map((r) => r.id)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    expect(store.list({ limit: 10, beforeId: 21 })[0]!.id).toBe(20);
    expect(store.count({ event: 'search.zero_results' })).toBe(10);
    expect(store.count({ status: 500 })).toBe(15);
    expect(store.list({ invalid: true }).map((r) => r.id)).toEqual([8]);
    expect(store.list({ search: 'zero_res', limit: 100 })).toHaveLength(10);
    store.close();
  });
});

describe('HistoryStore for the inspector', () => {
  it('counts traffic by second and status class between two rows, and over the recent past', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const second = Math.floor(Date.now() / 1000) * 1000;
    store.insertMany([
      record({ createdAt: second - 1000, status: 200, durationMs: 2 }),
      record({ createdAt: second + 10, status: 200, durationMs: 4 }),
      record({ createdAt: second + 20, status: 401, durationMs: 6 }),
      record({ createdAt: second + 30, status: null, durationMs: null }),
      record({ createdAt: second + 40, status: 503, durationMs: 8 }),
    ]);
    const now = { second: second / 1000, total: 4, ok: 1, redirect: 0, clientError: 1, serverError: 1, other: 1 };
    expect(store.activityBetween(1, 5)).toEqual([{ ...now, meanMs: 6, maxMs: 8 }]);
    expect(store.activitySince(second - 60_000).map((s) => s.total)).toEqual([1, 4]);
    expect(store.activitySince(second + 5_000)).toEqual([]);
    expect(store.list({ ids: [2, 4], limit: 10 }).map((r) => r.id)).toEqual([4, 2]);
    expect(store.list({ afterId: 3, limit: 10 }).map((r) => r.id)).toEqual([5, 4]);
    store.close();
  });
});

describe('delivery spool (what trigger appends beside the history)', () => {
  it('is imported once by the next open, then removed', () => {
    const path = join(tempDir(), 'h.db');
    const writer = new SpoolWriter(path).open();
    for (let i = 0; i < 300; i++) writer.append(record({ deliveryId: `dlv_${i}` }));
    writer.close();
    const store = HistoryStore.open(path);
    expect(store.count()).toBe(300);
    expect(store.get('dlv_299')!.requestBody.toString()).toBe('{"event":"catalog.product.created"}');
    store.close();
    expect(HistoryStore.open(path).count()).toBe(300);
  });

  it("leaves a live writer's unfinished file alone", () => {
    const path = join(tempDir(), 'h.db');
    const writer = new SpoolWriter(path).open();
    writer.append(record());
    writer.flush();
    expect(importSpool(path, () => {})).toBe(0);
    writer.close();
    expect(importSpool(path, () => {})).toBe(1);
  });

  it('puts a file back when its import fails, so the next import takes it', () => {
    const path = join(tempDir(), 'h.db');
    const writer = new SpoolWriter(path).open();
    writer.append(record({ deliveryId: 'dlv_kept' }));
    writer.close();
    expect(() =>
      importSpool(path, () => {
        throw new Error('database is locked');
      }),
    ).toThrow('database is locked');
    const imported: DeliveryRecord[] = [];
    expect(importSpool(path, (records) => imported.push(...records))).toBe(1);
    expect(imported.map((r) => r.deliveryId)).toEqual(['dlv_kept']);
  });

  it('imports nothing twice when a kill -9 lands after the import committed but before its file was deleted', async () => {
    const { execa } = await import('execa');
    const path = join(tempDir(), 'h.db');
    const writer = new SpoolWriter(path).open();
    for (let i = 0; i < 2_000; i++) writer.append(record({ deliveryId: `dlv_${i}` }));
    writer.close();
    // The targeted kill: the importing process dies the moment it deletes the file it imported.
    const storeModule = await moduleForChild('src/store/history-store.ts');
    const script = `
      import fs from 'node:fs';
      import { syncBuiltinESMExports } from 'node:module';
      const unlink = fs.unlinkSync;
      fs.unlinkSync = (file) => {
        if (String(file).includes('.claimed-')) process.kill(process.pid, 'SIGKILL');
        return unlink(file);
      };
      syncBuiltinESMExports();
      const { HistoryStore } = await import(${JSON.stringify(storeModule)});
      HistoryStore.open(${JSON.stringify(path)});`;
    for (let kills = 0; kills < 3; kills++) {
      const killed = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
      expect(killed.signal).toBe('SIGKILL');
      // The claimed file is still there, for the next import to take (or skip).
      expect(readdirSync(`${path}.spool`).some((name) => name.includes('.claimed-'))).toBe(true);
    }
    const store = HistoryStore.open(path);
    expect(store.count()).toBe(2_000);
    expect(readdirSync(`${path}.spool`).filter((name) => !name.startsWith('.'))).toEqual([]);
    store.close();
  });

  it('reports an unwritable location as a user error', () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, '');
    expect(() => new SpoolWriter(join(file, 'h.db')).open()).toThrow(
      /cannot write the history .*a parent is not a directory/,
    );
  });
});

describe('HistoryStore on a damaged file', () => {
  it("says so in one error naming the file and the fix, keeps a replay's record in the spool, and refuses the file from then on until it is moved aside", () => {
    const path = join(tempDir(), 'h.db');
    const store = HistoryStore.open(path);
    store.insertMany(Array.from({ length: 50 }, (_, i) => record({ deliveryId: `dlv_${i}` })));
    store.close();
    // Overwrite the delivery-id index's root page: the table reads, a write does not.
    const db = new Database(path, { readonly: true });
    const { rootpage } = db
      .prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'deliveries_delivery_id'`)
      .get() as { rootpage: number };
    db.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, (rootpage - 1) * 4096);
    closeSync(fd);

    const damaged = HistoryStore.open(path);
    let thrown: unknown;
    try {
      damaged.insert(record({ deliveryId: 'dlv_replay' }));
    } catch (err) {
      thrown = err;
    }
    damaged.close();
    expect(thrown).toBeInstanceOf(DamagedFileError);
    expect((thrown as DamagedFileError).message).toBe(`${path} is damaged (SQLite: database disk image is malformed)`);
    expect((thrown as DamagedFileError).hint).toBe(
      `move it aside (\`mv ${path} ${path}.damaged\`) and a new history starts; \`sqlite3 ${path}.damaged .recover\` may rescue rows`,
    );
    // Known damaged now: refused at once, before any query.
    expect(() => HistoryStore.open(path)).toThrow(DamagedFileError);
    renameSync(path, `${path}.damaged`);
    const fresh = HistoryStore.open(path);
    expect(fresh.list().map((r) => r.deliveryId)).toEqual(['dlv_replay']);
    fresh.close();
  });
});

describe('HistoryStore opened by several processes at once', () => {
  it('creates a new database exactly once (no "table already exists")', async () => {
    const { execa } = await import('execa');
    const path = join(tempDir(), 'race.db');
    const storeModule = await moduleForChild('src/store/history-store.ts');
    const script = `const { HistoryStore } = await import(${JSON.stringify(storeModule)}); const s = HistoryStore.open(${JSON.stringify(path)}); console.log(s.schemaVersion); s.close();`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        execa(process.execPath, ['--input-type=module', '-e', script], { reject: false }),
      ),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(String(MIGRATIONS.length));
    }
  });
});

describe('HistoryStore: the schema verdict (listen --validate)', () => {
  const issues = [{ path: 'data.price', rule: 'type', message: 'must be number' }];

  it('a version-2 database gains the columns; old rows read as not checked', () => {
    const path = join(tempDir(), 'v2.db');
    const old = new Database(path);
    runMigrations(old, MIGRATIONS, { what: 'history database', fix: 'pass --db with another path', upTo: 2 });
    old
      .prepare(`INSERT INTO deliveries (direction, source, created_at, event, delivery_id, method, url, request_headers, request_body, status)
      VALUES ('in', 'listen', 1, 'catalog.product.created', 'dlv_v2', 'POST', '/webhook', '{}', x'7b7d', 200)`)
      .run();
    old.close();
    const store = HistoryStore.open(path);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(store.get('dlv_v2')).toMatchObject({ schemaValid: null, schemaErrors: null });
    store.close();
  });

  it('stores, filters and carries the verdict through the spool', () => {
    const path = join(tempDir(), 'h.db');
    const store = HistoryStore.open(path);
    store.insert(record({ deliveryId: 'dlv_fine', schemaValid: true }));
    store.insert(record({ deliveryId: 'dlv_broken', schemaValid: false, schemaErrors: issues }));
    store.insert(record({ deliveryId: 'dlv_unchecked' }));
    expect(store.list({ schemaInvalid: true }).map((r) => [r.deliveryId, r.schemaErrors])).toEqual([
      ['dlv_broken', issues],
    ]);
    expect(store.get('dlv_fine')).toMatchObject({ schemaValid: true, schemaErrors: null });
    expect(store.get('dlv_unchecked')).toMatchObject({ schemaValid: null });

    const spool = new SpoolWriter(path).open();
    spool.append(record({ deliveryId: 'dlv_spooled', schemaValid: false, schemaErrors: issues }));
    spool.close();
    store.importSpool();
    expect(store.get('dlv_spooled')).toMatchObject({ schemaValid: false, schemaErrors: issues });
    store.close();
  });
});

describe('the filters on a history upgraded from version 4 (partial indexes)', () => {
  it('finds failing statuses, invalid signatures and broken schemas through indexes of just those rows, and 2xx filters without one', () => {
    const path = join(tempDir(), 'v4.db');
    const old = new Database(path);
    runMigrations(old, MIGRATIONS, { what: 'history database', fix: 'pass --db with another path', upTo: 4 });
    old.close();
    const store = HistoryStore.open(path);
    const statuses = [200, 201, 401, 404, 500, 503, 200];
    store.insertMany(
      statuses.map((status, i) =>
        record({ status, deliveryId: `dlv_${i}`, signatureValid: status !== 401, schemaValid: i === 2 ? false : null }),
      ),
    );
    expect(store.list({ status: 500 }).map((r) => r.status)).toEqual([500]);
    expect(store.list({ statusClass: 5 }).map((r) => r.status)).toEqual([503, 500]);
    expect(store.list({ statusClass: 2 }).map((r) => r.status)).toEqual([200, 201, 200]);
    expect(store.list({ status: 200 }).map((r) => r.deliveryId)).toEqual(['dlv_6', 'dlv_0']);
    expect(store.list({ invalid: true }).map((r) => r.deliveryId)).toEqual(['dlv_2']);
    expect(store.list({ valid: true })).toHaveLength(6);
    expect(store.list({ schemaInvalid: true }).map((r) => r.deliveryId)).toEqual(['dlv_2']);
    store.close();

    const db = new Database(path, { readonly: true });
    const plan = (where: string) =>
      (
        db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE ${where} ORDER BY id DESC LIMIT 50`).all() as {
          detail: string;
        }[]
      )
        .map((r) => r.detail)
        .join(' ');
    expect(plan('status = 500 AND status NOT BETWEEN 200 AND 299')).toContain('deliveries_failing_status');
    expect(plan('signature_valid = 0')).toContain('deliveries_signature_invalid');
    expect(plan('schema_valid = 0')).toContain('deliveries_schema_broken');
    const indexes = (
      db
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries' AND sql IS NOT NULL ORDER BY name`,
        )
        .all() as { name: string }[]
    ).map((r) => r.name);
    expect(indexes).toEqual([
      'deliveries_app_held',
      'deliveries_delivery_id',
      'deliveries_event',
      'deliveries_failing_status',
      'deliveries_schema_broken',
      'deliveries_signature_invalid',
    ]);
    db.close();
  });
});

describe('held_ms on a history upgraded from version 8 (migration 9)', () => {
  it("keeps version 8's rows and imported spool names, and gains held_ms and app_held", () => {
    const path = join(tempDir(), 'v8.db');
    const old = new Database(path);
    runMigrations(old, MIGRATIONS, { what: 'history database', fix: 'pass --db with another path', upTo: 8 });
    old
      .prepare(`INSERT INTO deliveries (direction, source, created_at, event, delivery_id, method, url, request_headers, request_body, status, diagnosis, listener_url)
      VALUES ('in', 'relay', 1, 'catalog.product.created', 'dlv_v8', 'POST', '/webhook', '{}', x'7b7d', 401, 'wrong-secret: x', 'http://127.0.0.1:4000/webhook')`)
      .run();
    old.prepare(`INSERT INTO spool_imports (file, records, imported_at) VALUES ('trigger-1', 3, 1)`).run();
    expect(old.pragma('user_version', { simple: true })).toBe(8);
    old.close();

    const store = HistoryStore.open(path);
    expect(store.schemaVersion).toBe(9);
    expect(store.get('dlv_v8')).toMatchObject({
      diagnosis: 'wrong-secret: x',
      listenerUrl: 'http://127.0.0.1:4000/webhook',
      heldMs: null,
      appHeld: null,
    });
    store.insert(record({ direction: 'in', source: 'relay', deliveryId: 'dlv_held', heldMs: 192_000, appHeld: false }));
    expect(store.get('dlv_held')).toMatchObject({ heldMs: 192_000, appHeld: false });
    store.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare('SELECT records FROM spool_imports WHERE file = ?').pluck().get('trigger-1')).toBe(3);
    reopened.close();
  });
});
