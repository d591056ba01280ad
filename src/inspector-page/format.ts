/** How values read on the page; the list's cells are the TUI's own (ui/tui/row-format.ts). */
import type { RowJson } from '../inspector/wire.js';
import { routeNote, rowCells } from '../ui/tui/row-format.js';

export interface RowView {
  time: string;
  dir: string;
  sig: string;
  sigTone: 'ok' | 'bad' | 'none';
  schemaBroken: boolean;
  status: string;
  statusClass: string;
  event: string;
  delivery: string;
  latency: string;
  route: string;
  held: string;
  notes: string;
}

export function rowView(row: RowJson): RowView {
  const cells = rowCells(row);
  const notes: string[] = [];
  if (row.schemaValid === false) notes.push(`schema ✗ ${row.schemaErrors?.length ?? 0}`);
  if (row.duplicate) notes.push('duplicate');
  if (row.replayOf) notes.push(`replay of ${row.replayOf}`);
  if (row.error) notes.push(row.error);
  return {
    time: cells.time,
    dir: row.direction,
    sig: cells.mark,
    sigTone: cells.markTone,
    schemaBroken: row.schemaValid === false,
    status: cells.status,
    statusClass: statusClass(row.status),
    event: cells.event,
    delivery: cells.delivery,
    latency: cells.latency,
    route: routeNote(row) ?? '',
    held: typeof row.heldMs === 'number' && row.heldMs > 0 ? `held ${heldFor(row.heldMs)}` : '',
    notes: notes.join(' · '),
  };
}

/** `s2` … `s5`, or `s0` without an answer: the colour of a status. */
export function statusClass(status: number | null): string {
  return status === null ? 's0' : `s${Math.floor(status / 100)}`;
}

/** `3m12s`, `1h04m`, `2d3h`: how long a delivery was held, as the terminal shows it. */
export function heldFor(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
