/** One query language: the TUI's filter line in memory, the history in SQL, and `history --search`. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { matchesQuery, parseFilterQuery, toHistoryFilter, withSearchQuery } from '../../src/store/filter-query.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';

function record(i: number, status: number | null, body: string, event = 'catalog.product.created'): DeliveryRecord {
  return {
    direction: i % 2 ? 'in' : 'out',
    source: 'listen',
    createdAt: 1_000 + i,
    event,
    deliveryId: `dlv_row${i}`,
    method: 'POST',
    url: '/webhook',
    remoteAddress: null,
    requestHeaders: {},
    requestBody: Buffer.from(body),
    status,
    responseHeaders: null,
    responseBody: null,
    durationMs: 1,
    error: null,
    signatureValid: status !== 401,
    signatureError: null,
    duplicate: false,
    replayOf: null,
  };
}

const RECORDS = [
  record(0, 200, '{"data":{"sku":"BLUE-SHIRT"}}'),
  record(1, 401, '{"data":{"sku":"red-dress"}}', 'customer.cart.added'),
  record(2, 404, '{"data":{"note":"Blue Shirt restock"}}'),
  record(3, 503, '{}', 'search.zero_results'),
  record(4, null, '{"data":{"sku":"blue-shirt"}}'),
];

describe('filter query language', () => {
  it('reads status classes, bare and keyed', () => {
    expect(parseFilterQuery('status:4xx')).toEqual({ statusClass: 4 });
    expect(parseFilterQuery('5XX catalog')).toEqual({ statusClass: 5, text: 'catalog' });
    expect(parseFilterQuery('status:9xx')).toEqual({ text: 'status:9xx' });
  });

  it.each([
    'status:4xx',
    '4xx',
    'blue-shirt',
    'BLUE',
    'red-dress',
    'status:2xx blue',
    '5xx search',
    'sku',
    'invalid',
    'dlv_row3',
    'event:catalog',
    'event:catalog.*',
    'event:catalog.product',
    'event:*.added',
    'event:customer.*.added',
    'event:search.zero_results',
  ])('selects the same rows in memory as the history does in SQL (%s)', (text) => {
    const store = HistoryStore.open(join(tempDir(), 'h.db'));
    for (const r of RECORDS) store.insert(r);
    const inSql = store
      .list(toHistoryFilter(parseFilterQuery(text)))
      .map((r) => r.deliveryId)
      .sort();
    const inMemory = RECORDS.filter((r) => matchesQuery(r, parseFilterQuery(text)))
      .map((r) => r.deliveryId)
      .sort();
    store.close();
    expect(inMemory).toEqual(inSql);
    expect(inSql.length).toBeGreaterThan(0);
  });

  it('event: takes a whole type, the types below a dotted part, or a glob; never part of a word', () => {
    const events = (text: string) => RECORDS.filter((r) => matchesQuery(r, parseFilterQuery(text))).map((r) => r.event);
    expect(events('event:customer')).toEqual(['customer.cart.added']);
    expect(events('event:catalog.product.created')).toHaveLength(3);
    expect(events('event:*.zero_results')).toEqual(['search.zero_results']);
    expect(events('event:catalo')).toEqual([]);
    expect(events('event:catalog.prod')).toEqual([]);
    const store = HistoryStore.open(join(tempDir(), 'h.db'));
    for (const r of RECORDS) store.insert(r);
    expect(store.list(toHistoryFilter(parseFilterQuery('event:catalo')))).toEqual([]);
    expect(store.list(toHistoryFilter(parseFilterQuery('event:[catalog]*')))).toEqual([]);
    store.close();
  });

  it('plain text searches the body too, ignoring case', () => {
    expect(RECORDS.filter((r) => matchesQuery(r, parseFilterQuery('blue'))).map((r) => r.deliveryId)).toEqual([
      'dlv_row0',
      'dlv_row2',
      'dlv_row4',
    ]);
  });

  it('history --search reads the same words, beside the other flags', () => {
    expect(withSearchQuery({ search: 'status:4xx shirt', limit: 5 })).toEqual({
      statusClass: 4,
      search: 'shirt',
      limit: 5,
    });
    expect(withSearchQuery({ event: 'a.b', search: 'invalid' })).toEqual({
      event: 'a.b',
      invalid: true,
      search: undefined,
    });
  });
});
