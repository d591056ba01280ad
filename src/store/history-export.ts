/** `history export`'s reading: every matching record, newest first, a page at a time. */
import type { DeliveryRecord } from './delivery-record.js';
import type { HistoryFilter, HistoryStore } from './history-store.js';

const PAGE_SIZE = 500;

/**
 * The full records matching `filter` (up to `filter.limit`), newest first. Pages backwards by
 * id, so a million rows never sit in memory at once; the caller writes each as it comes.
 */
export function* exportRecords(store: HistoryStore, filter: HistoryFilter = {}): Generator<DeliveryRecord> {
  let beforeId: number | undefined;
  let left = filter.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const page = store.list({ ...filter, beforeId, limit: Math.min(PAGE_SIZE, left) });
    if (page.length === 0) return;
    for (const row of page) yield store.get(row.id)!;
    beforeId = page[page.length - 1]!.id;
    left -= page.length;
  }
}
