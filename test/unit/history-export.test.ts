/** `history export`'s reading: every matching record, newest first, across pages, within --limit. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { exportRecords } from '../../src/store/history-export.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';

function record(i: number, event: string): DeliveryRecord {
  return {
    direction: 'in',
    source: 'listen',
    createdAt: 1_700_000_000_000 + i,
    event,
    deliveryId: `dlv_${i}`,
    method: 'POST',
    url: '/webhook',
    remoteAddress: null,
    requestHeaders: {},
    requestBody: Buffer.from(`{"n":${i}}`),
    status: 200,
    responseHeaders: null,
    responseBody: null,
    durationMs: 1,
    error: null,
    signatureValid: true,
    signatureError: null,
    duplicate: false,
    replayOf: null,
  };
}

describe('exportRecords', () => {
  // 1,203 rows: more than two pages of 500, so the paging by id is what finds them all.
  const store = HistoryStore.open(join(tempDir(), 'history.db'));
  store.insertMany(
    Array.from({ length: 1203 }, (_, i) => record(i, i % 3 === 0 ? 'customer.cart.added' : 'catalog.product.created')),
  );
  afterAll(() => store.close());

  it('yields every record, whole and newest first, across pages', () => {
    const all = [...exportRecords(store)];
    expect(all).toHaveLength(1203);
    expect(all[0]).toMatchObject({ deliveryId: 'dlv_1202', requestBody: Buffer.from('{"n":1202}') });
    expect(all.at(-1)!.deliveryId).toBe('dlv_0');
    expect(new Set(all.map((r) => r.deliveryId)).size).toBe(1203);
  });

  it('keeps to the filter and the limit', () => {
    const carts = [...exportRecords(store, { event: 'customer.cart.added' })];
    expect(carts).toHaveLength(401);
    expect(carts.every((r) => r.event === 'customer.cart.added')).toBe(true);
    expect([...exportRecords(store, { limit: 501 })].map((r) => r.deliveryId).slice(-2)).toEqual([
      'dlv_703',
      'dlv_702',
    ]);
    expect([...exportRecords(store, { event: 'customer.purchase.completed' })]).toEqual([]);
  });
});
