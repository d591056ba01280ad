/**
 * One page of an emulator list, as its OpenAPI document describes: `?limit=` (1–1000) and
 * `?cursor=` (opaque, from the previous page) in; `{data, has_more, next_cursor}` out, and the
 * same next page as a `Link: <…>; rel="next"` header (RFC 8288), as hosted APIs give either.
 * The cursor is a position in the list, so rows added between pages can shift it by a row.
 */
import { invalid } from './api-error.js';

export const MAX_LIST_LIMIT = 1000;

export interface ListPage<T> {
  body: { data: T[]; has_more: boolean; next_cursor: string | null };
  headers: Record<string, string>;
}

export function readPageQuery(query: URLSearchParams, defaultLimit: number): { limit: number; offset: number } {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? defaultLimit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw invalid('limit', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
  const cursor = query.get('cursor');
  if (cursor === null) return { limit, offset: 0 };
  const position = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!position) throw invalid('cursor', 'cursor must be the next_cursor of a previous page');
  return { limit, offset: Number(position[1]) };
}

/** The page at `offset` of `rows` (which holds at least one row past the page when there are more). */
export function listPage<T>(
  rows: readonly T[],
  { limit, offset }: { limit: number; offset: number },
  path: string,
  query: URLSearchParams,
): ListPage<T> {
  const data = rows.slice(offset, offset + limit);
  const hasMore = rows.length > offset + limit;
  const nextCursor = hasMore ? Buffer.from(`o:${offset + limit}`).toString('base64url') : null;
  const headers: Record<string, string> = {};
  if (nextCursor) {
    const next = new URLSearchParams(query);
    next.set('limit', String(limit));
    next.set('cursor', nextCursor);
    headers.link = `<${path}?${next}>; rel="next"`;
  }
  return { body: { data, has_more: hasMore, next_cursor: nextCursor }, headers };
}
