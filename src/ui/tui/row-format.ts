/** Column text for one row of the delivery lists; pure, shared by the live list and the history. */

import { isSuccessStatus } from '../../core/http-status.js';
import { schemaSummary } from '../../core/schema-issue.js';
import { clockTime, formatDuration, formatSpan } from '../../format/display.js';
import { printable } from '../../format/terminal-text.js';
import type { DeliverySummary } from '../../store/delivery-record.js';

export type ListRow = Pick<
  DeliverySummary,
  | 'createdAt'
  | 'event'
  | 'deliveryId'
  | 'signatureValid'
  | 'status'
  | 'durationMs'
  | 'duplicate'
  | 'direction'
  | 'error'
  | 'method'
  | 'url'
  | 'replayOf'
  | 'schemaValid'
  | 'schemaErrors'
  | 'route'
  | 'forwarded'
  | 'diagnosis'
  | 'heldMs'
  | 'appHeld'
>;

export interface RowCells {
  time: string;
  mark: string;
  /** 'ok' | 'bad' | 'none': how to colour the signature mark. */
  markTone: 'ok' | 'bad' | 'none';
  /** `!` beside the signature mark when the delivery broke its schema (`listen --validate`), so even 80 columns show it. */
  schemaMark: string;
  status: string;
  statusTone: 'ok' | 'bad';
  event: string;
  delivery: string;
  latency: string;
  note: string;
  dir: string;
  /** The note is a duplicate flag (drawn as a warning, not an error). */
  duplicate: boolean;
}

/** A row's cells; what the request brought (event, delivery id, errors) is shown `printable`. */
export function rowCells(row: ListRow, withDate = false): RowCells {
  const date = new Date(row.createdAt);
  const time = withDate ? `${date.toISOString().slice(5, 10)} ${clockTime(row.createdAt)}` : clockTime(row.createdAt);
  const ok = isSuccessStatus(row.status);
  const notes: string[] = [];
  // First, so a narrow terminal still shows it: the delivery broke its schema (listen --validate).
  if (row.schemaValid === false) notes.push(`schema ✗ ${schemaSummary(row.schemaErrors)}`);
  const route = routeNote(row);
  if (route) notes.push(route);
  const held = heldNote(row);
  if (held) notes.push(held);
  if (row.duplicate) notes.push('duplicate');
  if (row.replayOf) notes.push(`↻ replay of ${row.replayOf}`);
  if (row.error) notes.push(row.error);
  const doctor = doctorNote(row);
  if (doctor) notes.push(doctor);
  return {
    time,
    mark: row.signatureValid === null ? '·' : row.signatureValid ? '✓' : '✗',
    markTone: row.signatureValid === null ? 'none' : row.signatureValid ? 'ok' : 'bad',
    schemaMark: row.schemaValid === false ? '!' : '',
    status: row.status === null ? '---' : String(row.status),
    statusTone: ok ? 'ok' : 'bad',
    event: printable(row.event ?? eventPlaceholder(row)),
    delivery: printable(row.deliveryId ?? '-'),
    latency: formatDuration(row.durationMs),
    note: printable(notes.join(' · ')),
    dir: row.direction,
    duplicate: row.duplicate,
  };
}

/** `doctor: reserialised-python`: the cause the doctor found for the app's rejection, in a few words. */
export function doctorNote(r: Pick<ListRow, 'diagnosis'>): string | undefined {
  return r.diagnosis ? `doctor: ${r.diagnosis.split(':', 1)[0]}` : undefined;
}

/** Which route took a received request (`→ catalog.*`), or that none did; nothing when listen does not forward. */
export function routeNote(r: Pick<ListRow, 'route' | 'forwarded'>): string | undefined {
  if (r.route) return `→ ${r.route}`;
  return r.forwarded === false ? 'not forwarded' : undefined;
}

/**
 * `held 3m12s` for a delivery a relay held while no listener was connected; `held for the app`
 * while `listen --app-down hold` keeps it for an app that is down. Nothing for a live one.
 */
export function heldNote(r: Pick<ListRow, 'heldMs' | 'appHeld'>): string | undefined {
  const notes: string[] = [];
  if (r.heldMs !== null && r.heldMs !== undefined) notes.push(`held ${formatSpan(r.heldMs)}`);
  if (r.appHeld) notes.push('held for the app');
  return notes.length ? notes.join(' · ') : undefined;
}

/**
 * The first row to show so that `selected` is visible, moving the window as little as possible
 * from `previousStart` (a list that jumps on every key press is hard to follow).
 */
export function windowStart(selected: number, count: number, height: number, previousStart: number): number {
  let start = previousStart;
  if (selected < start) start = selected;
  if (selected >= start + height) start = selected - height + 1;
  return Math.max(0, Math.min(start, Math.max(0, count - height)));
}

/**
 * The rows a list of `height` lines shows, and the hint on its last line when some are out of
 * sight: `↓ 12 more below` (a `+` when more are still to be read), else `↑ 40 more above`.
 */
export function listWindow(
  selected: number,
  count: number,
  height: number,
  previousStart: number,
  moreToRead = false,
): { start: number; rows: number; hint?: string } {
  if (count <= height && !moreToRead) return { start: 0, rows: count };
  const rows = Math.max(1, height - 1);
  const start = windowStart(selected, count, rows, previousStart);
  const below = count - start - rows;
  if (below > 0 || moreToRead)
    return { start, rows, hint: `↓ ${Math.max(0, below)}${moreToRead ? '+' : ''} more below` };
  return { start, rows, hint: start > 0 ? `↑ ${start} more above` : undefined };
}

/** What the event column shows for a request without an event type. */
function eventPlaceholder(row: Pick<ListRow, 'method' | 'url'>): string {
  if (row.method === '?') return '(incomplete request)'; // answered by the transport: 408, 431
  return row.method === 'POST' ? '(no event)' : `${row.method} ${row.url}`;
}
