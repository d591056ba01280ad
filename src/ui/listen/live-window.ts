/** The live view's window of received requests: the newest ones, bounded in count and in bytes. */
import type { DeliveryRecord } from '../../store/delivery-record.js';

export interface LiveRow {
  seq: number;
  record: DeliveryRecord;
}

/**
 * Appends `arrived` and keeps the newest rows within `maxRows` and, counting the bodies they
 * hold, within `maxBytes` (a burst of 1 MB bodies would otherwise keep a gigabyte in memory).
 * The newest row is always kept. Everything is in the history anyway.
 */
export function keepWindow(
  rows: readonly LiveRow[],
  arrived: readonly LiveRow[],
  maxRows: number,
  maxBytes: number,
): LiveRow[] {
  const all = rows.concat(arrived);
  let start = Math.max(0, all.length - maxRows);
  let bytes = 0;
  for (let i = all.length - 1; i >= start; i--) {
    bytes += recordBytes(all[i]!.record);
    if (bytes > maxBytes && i < all.length - 1) {
      start = i + 1;
      break;
    }
  }
  return start === 0 ? all : all.slice(start);
}

function recordBytes(record: DeliveryRecord): number {
  return record.requestBody.length + (record.responseBody?.length ?? 0);
}
