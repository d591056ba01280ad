/**
 * The inspector's pages of the history, newest first, by keyset (`id < before`): a page of a
 * million-row history costs what a page of a small one does, and nothing is read whole.
 *
 * A filter may match few rows, and one that no index serves (free text over the bodies, `valid`)
 * would read the whole table to fill a page, on the receiver's own thread. So a filtered page
 * reads at most SCAN_WINDOW rows below `before`; when that stretch holds fewer matches than asked,
 * it says where to go on (`older`), and the page asks again — the receiver answers in between.
 */
import { type FilterQuery, isEmptyQuery, parseFilterQuery, toHistoryFilter } from '../store/filter-query.js';
import type { HistoryFilter, HistoryStore } from '../store/history-store.js';
import type { RowsPage } from './wire.js';

/** Rows read at most per filtered page request. */
export const SCAN_WINDOW = 20_000;
export const MAX_PAGE = 500;

/** The history filter for the page's query text: the TUI's and `history --search`'s language. */
export function filterFor(query: string): HistoryFilter {
  const parsed: FilterQuery = parseFilterQuery(query);
  return isEmptyQuery(parsed) ? {} : toHistoryFilter(parsed);
}

export function readPage(
  store: HistoryStore,
  query: string,
  { before, limit }: { before?: number; limit: number },
): RowsPage {
  const lastId = store.lastId();
  const filter = filterFor(query);
  const top = before ?? lastId + 1;
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const floor = filtered ? Math.max(0, top - 1 - SCAN_WINDOW) : 0;
  const rows = store.list({ ...filter, beforeId: top, afterId: floor || undefined, limit });
  const older = rows.length === limit ? rows[rows.length - 1]!.id : floor > 0 ? floor + 1 : null;
  return { rows, older, lastId };
}
