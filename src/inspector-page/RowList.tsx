/** The list of deliveries: the TUI's columns, newest first; narrow screens keep the telling ones. */
import { memo } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import type { RowJson } from '../inspector/wire.js';
import { rowView } from './format.js';

export interface RowListProps {
  rows: RowJson[];
  selectedId: number | null;
  marked: ReadonlySet<number>;
  onSelect(id: number): void;
  onOpen(id: number): void;
  onToggleMark(id: number): void;
}

/** Drawn again only when its rows, selection or marks change (not at every tick of the chart's clock). */
export const RowList = memo(function RowList({
  rows,
  selectedId,
  marked,
  onSelect,
  onOpen,
  onToggleMark,
}: RowListProps) {
  const selectedRef = useRef<HTMLTableRowElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the selection moved, so its row comes into view
  useEffect(() => selectedRef.current?.scrollIntoView({ block: 'nearest' }), [selectedId]);
  // Route and held are empty unless listen forwards or drains held deliveries: no room for them then.
  const routed = rows.some((r) => r.route || r.forwarded === false);
  const held = rows.some((r) => typeof r.heldMs === 'number' && r.heldMs > 0);
  return (
    <table class={`rows${routed ? '' : ' no-route'}${held ? '' : ' no-held'}`} aria-label="deliveries">
      <thead>
        <tr>
          <th class="c-mark">
            <span class="sr-only">marked</span>
          </th>
          <th class="c-time">Time</th>
          <th class="c-dir">Dir</th>
          <th class="c-sig" title="signature">
            Sig
          </th>
          <th class="c-status">Status</th>
          <th class="c-event">Event</th>
          <th class="c-delivery">Delivery</th>
          <th class="c-latency">Latency</th>
          <th class="c-route">Route</th>
          <th class="c-held">Held</th>
          <th class="c-notes">Notes</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const v = rowView(row);
          const selected = row.id === selectedId;
          return (
            <tr
              key={row.id}
              ref={selected ? selectedRef : undefined}
              class={`row${selected ? ' selected' : ''}${marked.has(row.id) ? ' marked' : ''}`}
              data-id={row.id}
              aria-selected={selected}
              onClick={() => onSelect(row.id)}
              onDblClick={() => onOpen(row.id)}
            >
              <td class="c-mark">
                {/* biome-ignore lint/a11y/useSemanticElements: a drawn box: fifty form controls redrawn a second cost the page more than the rest of the row */}
                <span
                  class="box"
                  role="checkbox"
                  tabIndex={-1}
                  aria-label={`mark #${row.id}`}
                  aria-checked={marked.has(row.id)}
                  onClick={(e) => {
                    e.stopPropagation();
                    onToggleMark(row.id);
                  }}
                  onKeyDown={(e) => e.key === ' ' && onToggleMark(row.id)}
                />
              </td>
              <td class="c-time">{v.time}</td>
              <td class="c-dir">{v.dir}</td>
              <td class={`c-sig tone-${v.sigTone}`}>
                {v.sig}
                {v.schemaBroken ? <span class="flag">!</span> : null}
              </td>
              <td class={`c-status ${v.statusClass}`}>{v.status}</td>
              <td class="c-event" title={v.event}>
                {v.event}
              </td>
              <td class="c-delivery" title={v.delivery}>
                {v.delivery}
              </td>
              <td class="c-latency">{v.latency}</td>
              <td class="c-route">{v.route}</td>
              <td class="c-held">{v.held}</td>
              <td class="c-notes" title={v.notes}>
                {v.notes}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
});
