/**
 * The one query language of the TUIs' `f` filter and `history --search`, typed as a few words:
 * `status:401`, `status:4xx`, `event:customer.cart.added`, `invalid`, `valid`, `dup`,
 * `schema:invalid`, `in`/`out`, and any other text, searched in the event, delivery id, path and
 * body. Pure, so the live list (in memory) and the history (in SQL) read the same query the same way.
 */
import { matchesEventFilter } from '../core/event-pattern.js';
import type { DeliverySummary } from './delivery-record.js';
import type { HistoryFilter } from './history-store.js';

/** What a typed query asks for: the history's own filters, with its free text as `text`. */
export type FilterQuery = Omit<HistoryFilter, 'search' | 'beforeId' | 'limit'> & {
  /** Free text, matched against event, delivery id, path and body, ignoring case. */
  text?: string;
};

export function parseFilterQuery(input: string): FilterQuery {
  const query: FilterQuery = {};
  const words: string[] = [];
  for (const word of input.trim().split(/\s+/).filter(Boolean)) {
    const [key, value] = word.includes(':')
      ? [word.slice(0, word.indexOf(':')).toLowerCase(), word.slice(word.indexOf(':') + 1)]
      : [word.toLowerCase(), ''];
    if (key === 'status' && /^\d{3}$/.test(value)) query.status = Number(value);
    else if (key === 'status' && /^[1-5]xx$/i.test(value)) query.statusClass = Number(value[0]);
    else if (/^\d{3}$/.test(word)) query.status = Number(word);
    else if (/^[1-5]xx$/i.test(word)) query.statusClass = Number(word[0]);
    else if (key === 'event' && value) query.event = value;
    else if (key === 'invalid' && !value) query.invalid = true;
    else if (key === 'valid' && !value) query.valid = true;
    else if ((key === 'dup' || key === 'duplicate') && !value) query.duplicate = true;
    else if (key === 'schema' && value === 'invalid') query.schemaInvalid = true;
    else if ((key === 'in' || key === 'out') && !value) query.direction = key;
    else if ((key === 'dir' || key === 'direction') && (value === 'in' || value === 'out')) query.direction = value;
    else words.push(word);
  }
  if (words.length) query.text = words.join(' ');
  return query;
}

export function isEmptyQuery(query: FilterQuery): boolean {
  return Object.keys(query).length === 0;
}

type Filterable = Pick<
  DeliverySummary,
  'event' | 'status' | 'signatureValid' | 'duplicate' | 'direction' | 'deliveryId' | 'url' | 'schemaValid'
> & { requestBody?: Buffer };

export function matchesQuery(row: Filterable, query: FilterQuery): boolean {
  if (query.event !== undefined && !matchesEventFilter(query.event, row.event)) return false;
  if (query.status !== undefined && row.status !== query.status) return false;
  if (query.statusClass !== undefined && (row.status === null || Math.floor(row.status / 100) !== query.statusClass))
    return false;
  if (query.invalid && row.signatureValid !== false) return false;
  if (query.valid && row.signatureValid !== true) return false;
  if (query.duplicate && !row.duplicate) return false;
  if (query.schemaInvalid && row.schemaValid !== false) return false;
  if (query.direction && row.direction !== query.direction) return false;
  if (query.text) {
    const needle = query.text.toLowerCase();
    const fields = [row.event, row.deliveryId, row.url];
    if (
      !fields.some((v) => v?.toLowerCase().includes(needle)) &&
      !row.requestBody?.toString('utf8').toLowerCase().includes(needle)
    )
      return false;
  }
  return true;
}

/** The history store's filter for a query. */
export function toHistoryFilter(query: FilterQuery): HistoryFilter {
  return {
    event: query.event,
    status: query.status,
    statusClass: query.statusClass,
    invalid: query.invalid,
    valid: query.valid,
    duplicate: query.duplicate,
    schemaInvalid: query.schemaInvalid,
    direction: query.direction,
    search: query.text,
  };
}

/** The query text for the filters given as flags (`history --event … --invalid`), to edit with `f`. */
export function queryText(
  filter: Pick<HistoryFilter, 'event' | 'status' | 'invalid' | 'schemaInvalid' | 'direction' | 'search'>,
): string {
  const words: string[] = [];
  if (filter.event) words.push(`event:${filter.event}`);
  if (filter.status !== undefined) words.push(`status:${filter.status}`);
  if (filter.invalid) words.push('invalid');
  if (filter.schemaInvalid) words.push('schema:invalid');
  if (filter.direction) words.push(filter.direction);
  if (filter.search) words.push(filter.search);
  return words.join(' ');
}

/**
 * A history filter with its `search` read as a query (`history --search "status:4xx catalog"`),
 * so the flag and the TUI's filter line are one language; flags given beside it still apply.
 */
export function withSearchQuery<T extends HistoryFilter>(filter: T): T {
  if (!filter.search) return filter;
  const fromQuery = Object.fromEntries(
    Object.entries(toHistoryFilter(parseFilterQuery(filter.search))).filter(([, v]) => v !== undefined),
  );
  return { ...filter, search: undefined, ...fromQuery };
}
