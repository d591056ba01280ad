import { Box, Text } from 'ink';
import { useRef } from 'react';
import { fit } from '../../format/display.js';
import { rowCells, windowStart, type ListRow } from './row-format.js';

export interface DeliveryListProps {
  rows: readonly ListRow[];
  /** Index into `rows`, or -1 for none. */
  selected: number;
  height: number;
  width: number;
  /** Show the date and the direction (the history mixes sent and received). */
  history?: boolean;
  emptyText: string;
}

/**
 * The delivery list, windowed: only the rows that fit are rendered, however many there are.
 * Columns: time, signature ✓/✗, status, event, delivery id, latency, notes.
 */
export function DeliveryList({ rows, selected, height, width, history = false, emptyText }: DeliveryListProps) {
  const start = useRef(0);
  start.current = windowStart(Math.max(0, selected), rows.length, height, start.current);
  const visible = rows.slice(start.current, start.current + height);
  const timeWidth = history ? 14 : 8;
  const fixed = 2 + timeWidth + 1 + (history ? 4 : 0) + 4 + 5 + 30 + 1 + 29 + 1 + 9 + 1;
  const noteWidth = Math.max(0, width - fixed);
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold wrap="truncate">
        {fit('', 2)}
        {fit('TIME', timeWidth)} {history ? 'DIR ' : ''}
        {fit('SIG', 4)}
        {fit('CODE', 5)}
        {fit('EVENT', 30)} {fit('DELIVERY', 29)} {fit('LATENCY', 9)} {noteWidth > 0 ? 'NOTE' : ''}
      </Text>
      {rows.length === 0 ? <Text dimColor>{emptyText}</Text> : null}
      {visible.map((row, i) => {
        const index = start.current + i;
        const isSelected = index === selected;
        const c = rowCells(row, history);
        return (
          <Text key={index} inverse={isSelected} wrap="truncate">
            {isSelected ? '› ' : '  '}
            {fit(c.time, timeWidth)} {history ? fit(row.direction, 4) : ''}
            <Text color={c.markTone === 'ok' ? 'green' : c.markTone === 'bad' ? 'red' : undefined}>{c.mark}</Text>
            <Text color="red">{fit(c.schemaMark, 3)}</Text>
            <Text color={c.statusTone === 'ok' ? 'green' : 'red'}>{fit(c.status, 5)}</Text>
            {fit(c.event, 30)} <Text dimColor={!isSelected}>{fit(c.delivery, 29)}</Text> {fit(c.latency, 9)}{' '}
            {noteWidth > 0 ? <Text color={row.duplicate && row.schemaValid !== false ? 'yellow' : 'red'}>{fit(c.note, noteWidth)}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
