import { Box, Text } from 'ink';
import { useRef } from 'react';
import { type CellTone, cellOf, cellSegments, fitCell, layoutColumns } from './list-columns.js';
import { type ListRow, listWindow, rowCells } from './row-format.js';

export interface DeliveryListProps {
  rows: readonly ListRow[];
  /** Index into `rows`, or -1 for none. */
  selected: number;
  height: number;
  width: number;
  /** Show the date and the direction (the history mixes sent and received). */
  history?: boolean;
  emptyText: string;
  /** More rows exist than `rows` holds (the history reads a page at a time). */
  moreToRead?: boolean;
}

const INK_TONE: Record<NonNullable<CellTone>, { color?: string; dimColor?: boolean }> = {
  green: { color: 'green' },
  red: { color: 'red' },
  yellow: { color: 'yellow' },
  dim: { dimColor: true },
};

/**
 * The delivery list, windowed: only the rows that fit are rendered, however many there are.
 * Its columns are laid out for the width by `layoutColumns` (the history's first frame too).
 */
export function DeliveryList({
  rows,
  selected,
  height,
  width,
  history = false,
  emptyText,
  moreToRead = false,
}: DeliveryListProps) {
  const start = useRef(0);
  const view = listWindow(Math.max(0, selected), rows.length, height, start.current, moreToRead);
  start.current = view.start;
  const visible = rows.slice(view.start, view.start + view.rows);
  const columns = layoutColumns(width, history);
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold wrap="truncate">
        {'  '}
        {columns.map((column) => fitCell(column.spec.title, column)).join(' ')}
      </Text>
      {rows.length === 0 ? <Text dimColor>{emptyText}</Text> : null}
      {visible.map((row, i) => {
        const index = start.current + i;
        const isSelected = index === selected;
        const cells = rowCells(row, history);
        return (
          <Text key={index} inverse={isSelected} wrap="truncate">
            {isSelected ? '› ' : '  '}
            {columns.map((column, n) => (
              <Text key={column.spec.key}>
                {n > 0 ? ' ' : ''}
                {cellSegments(cellOf(cells, column.spec.key, isSelected), column).map((segment, k) => (
                  <Text key={k} {...(segment.tone ? INK_TONE[segment.tone] : {})}>
                    {segment.text}
                  </Text>
                ))}
              </Text>
            ))}
          </Text>
        );
      })}
      {view.hint ? (
        <Text dimColor wrap="truncate">
          {`  ${view.hint}`}
        </Text>
      ) : null}
    </Box>
  );
}
