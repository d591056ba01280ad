/** Duplicate detection's memory: a real history file, a second connection writing as another process would. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AcceptedIds } from '../../src/receiver/accepted-ids.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { until } from '../helpers/until.js';

function received(deliveryId: string, status = 200): DeliveryRecord {
  return {
    direction: 'in',
    source: 'listen',
    createdAt: Date.now(),
    event: 'customer.cart.added',
    deliveryId,
    method: 'POST',
    url: '/webhook',
    remoteAddress: '127.0.0.1',
    requestHeaders: { 'x-webhook-delivery': deliveryId },
    requestBody: Buffer.from('{}'),
    status,
    responseHeaders: {},
    responseBody: Buffer.from('{}'),
    durationMs: 1,
    error: null,
    signatureValid: true,
    signatureError: null,
    duplicate: false,
    replayOf: null,
  };
}

const stores: HistoryStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

/** The history at `path`, counting how often the database is asked about a delivery id. */
function openCounting(path: string) {
  const store = HistoryStore.open(path);
  stores.push(store);
  const lookups = { count: 0 };
  const hasReceived = store.hasReceived.bind(store);
  store.hasReceived = (id: string) => (lookups.count++, hasReceived(id));
  return { store, lookups };
}

describe('AcceptedIds', () => {
  it('knows the ids an earlier session accepted, loaded in slices, and answers new ids without asking the database', async () => {
    const path = join(tempDir(), 'history.db');
    const earlier = HistoryStore.open(path);
    // More rows than one slice, so loading takes several turns of the event loop.
    earlier.insertMany(Array.from({ length: 12_000 }, (_, i) => received(`dlv_earlier_${i}`)));
    earlier.insertMany([received('dlv_refused', 401)]);
    earlier.close();

    const { store, lookups } = openCounting(path);
    const ids = new AcceptedIds(store);
    await ids.whenLoaded();
    expect(ids.has('dlv_earlier_0')).toBe(true);
    expect(ids.has('dlv_earlier_11999')).toBe(true);
    // In the filter, but answered 401: a retry of it is expected, not a duplicate.
    expect(ids.has('dlv_refused')).toBe(false);
    lookups.count = 0;
    for (let i = 0; i < 1000; i++) expect(ids.has(`dlv_new_${i}`)).toBe(false);
    // Only the filter's rare false positives reach SQLite.
    expect(lookups.count).toBeLessThan(50);
  });

  it('knows an id accepted this session before its record is written, and after', async () => {
    const { store } = openCounting(join(tempDir(), 'history.db'));
    const ids = new AcceptedIds(store);
    await ids.whenLoaded();
    ids.add('dlv_now');
    expect(ids.has('dlv_now')).toBe(true);
    store.insertMany([received('dlv_now')]);
    ids.written({ inDatabase: true });
    expect(ids.has('dlv_now')).toBe(true);
  });

  it('keeps ids in memory when the records went to the spool instead of the database', async () => {
    const { store } = openCounting(join(tempDir(), 'history.db'));
    const ids = new AcceptedIds(store);
    await ids.whenLoaded();
    ids.add('dlv_spooled');
    ids.written({ inDatabase: false });
    expect(ids.has('dlv_spooled')).toBe(true);
    // Later records reaching the database again do not make memory forget the spooled ones.
    ids.add('dlv_later');
    store.insertMany([received('dlv_later')]);
    ids.written({ inDatabase: true });
    expect(ids.has('dlv_spooled')).toBe(true);
  });

  it('catches up with ids another process accepted in the same file after loading', async () => {
    const path = join(tempDir(), 'history.db');
    const { store } = openCounting(path);
    const ids = new AcceptedIds(store);
    await ids.whenLoaded();
    expect(ids.has('dlv_other')).toBe(false);
    const other = HistoryStore.open(path);
    stores.push(other);
    other.insertMany([received('dlv_other')]);
    await until(() => ids.has('dlv_other'), 2_000, "the other connection's id");
  });

  it('takes the ids of records imported from the spool', async () => {
    const { store } = openCounting(join(tempDir(), 'history.db'));
    const ids = new AcceptedIds(store);
    await ids.whenLoaded();
    const record = received('dlv_from_spool');
    store.insertMany([record]);
    ids.addRecords([record]);
    expect(ids.has('dlv_from_spool')).toBe(true);
  });
});
