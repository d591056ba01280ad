/**
 * The columns of the delivery lists, laid out by priority for the terminal's width. Pure, shared by
 * the ink list and the history's plain first frame, so the two draw the same columns.
 *
 * On a narrow terminal the widest columns are shortened first (the delivery id, then the event),
 * then the least telling ones dropped (latency, time, direction); the signature mark (with the
 * schema's `!` beside it), the status and the note (a duplicate, the reason for a 401) always stay.
 * A new column is one more entry.
 */
import { fitColumns, headColumns, padColumns, tailColumns, textWidth } from '../../format/columns.js';
import type { RowCells } from './row-format.js';

export type ColumnKey = 'time' | 'dir' | 'sig' | 'code' | 'event' | 'delivery' | 'latency' | 'note';

export interface ColumnSpec {
  key: ColumnKey;
  title: string;
  /** Columns it takes when there is room. */
  width: number;
  /** Columns it may be shortened to (equal to `width`: never shortened). */
  min: number;
  /** Shortened in ascending order; undefined: never shortened below `width` except the note. */
  shortenOrder?: number;
  /** Dropped in ascending order when even the shortest layout is too wide; undefined: always kept. */
  dropOrder?: number;
  /** Takes the width left over (one column at most). */
  grow?: boolean;
  /** Only in the history, which mixes sent and received. */
  historyOnly?: boolean;
  /** Cut in the middle rather than at the end: a delivery id differs in its tail, an event type in its last part. */
  cutMiddle?: boolean;
}

export const LIST_COLUMNS: readonly ColumnSpec[] = [
  { key: 'time', title: 'TIME', width: 8, min: 8, dropOrder: 2 },
  { key: 'dir', title: 'DIR', width: 3, min: 3, dropOrder: 3, historyOnly: true },
  { key: 'sig', title: 'SIG', width: 3, min: 3 },
  { key: 'code', title: 'CODE', width: 4, min: 4 },
  { key: 'event', title: 'EVENT', width: 30, min: 16, shortenOrder: 2, cutMiddle: true, dropOrder: 5 },
  { key: 'delivery', title: 'DELIVERY', width: 29, min: 12, shortenOrder: 1, cutMiddle: true, dropOrder: 4 },
  { key: 'latency', title: 'LATENCY', width: 8, min: 8, dropOrder: 1 },
  { key: 'note', title: 'NOTE', width: 12, min: 12, grow: true },
];

/** The selection mark before each row (`› `). */
export const ROW_PREFIX = 2;
/** The history's time column also shows the date. */
const HISTORY_TIME_WIDTH = 14;

export interface PlacedColumn {
  spec: ColumnSpec;
  width: number;
}

/** The columns that fit in `width`, with their widths; cells are separated by one space. */
export function layoutColumns(
  width: number,
  history: boolean,
  specs: readonly ColumnSpec[] = LIST_COLUMNS,
): PlacedColumn[] {
  let placed = specs
    .filter((spec) => history || !spec.historyOnly)
    .map((spec) => {
      const full = spec.key === 'time' && history ? HISTORY_TIME_WIDTH : spec.width;
      return { spec, width: full, min: spec.key === 'time' && history ? HISTORY_TIME_WIDTH : spec.min };
    });
  const total = () => ROW_PREFIX + placed.reduce((sum, c) => sum + c.width, 0) + Math.max(0, placed.length - 1);
  for (const column of [...placed]
    .filter((c) => c.spec.shortenOrder !== undefined)
    .sort((a, b) => a.spec.shortenOrder! - b.spec.shortenOrder!)) {
    const over = total() - width;
    if (over <= 0) break;
    column.width = Math.max(column.min, column.width - over);
  }
  for (const drop of [...placed]
    .filter((c) => c.spec.dropOrder !== undefined)
    .sort((a, b) => a.spec.dropOrder! - b.spec.dropOrder!)) {
    if (total() <= width) break;
    placed = placed.filter((c) => c !== drop);
  }
  const grow = placed.find((c) => c.spec.grow);
  if (grow) grow.width = Math.max(1, grow.width + width - total());
  return placed.map(({ spec, width: w }) => ({ spec, width: w }));
}

/** A cell cut or padded to its column's width in terminal columns: the delivery id keeps its head and its tail. */
export function fitCell(text: string, column: PlacedColumn): string {
  const { width } = column;
  if (column.spec.cutMiddle && width >= 7 && textWidth(text) > width) {
    const tail = tailColumns(text, Math.floor((width - 1) / 2));
    return padColumns(`${headColumns(text, width - 1 - textWidth(tail))}…${tail}`, width);
  }
  return fitColumns(text, width);
}

export type CellTone = 'green' | 'red' | 'yellow' | 'dim' | undefined;

export interface Cell {
  text: string;
  tone: CellTone;
  /** Drawn red right after the text, in the same column: the schema's `!` beside the signature mark. */
  flag?: string;
}

/** The cell text and colour of one column of a row. */
export function cellOf(cells: RowCells, key: ColumnKey, selected: boolean): Cell {
  const mark = (t: RowCells['markTone']): CellTone => (t === 'ok' ? 'green' : t === 'bad' ? 'red' : undefined);
  switch (key) {
    case 'sig':
      return { text: cells.mark, tone: mark(cells.markTone), flag: cells.schemaMark };
    case 'code':
      return { text: cells.status, tone: mark(cells.statusTone) };
    case 'delivery':
      return { text: cells.delivery, tone: selected ? undefined : 'dim' };
    case 'note':
      // A broken schema leads the note, and it is an error even on a duplicate.
      return { text: cells.note, tone: cells.duplicate && !cells.schemaMark ? 'yellow' : 'red' };
    default:
      return { text: cells[key], tone: undefined };
  }
}

/** A cell fitted to its column, in its coloured pieces (text, then its flag, then the padding). */
export function cellSegments(cell: Cell, column: PlacedColumn): { text: string; tone: CellTone }[] {
  const fitted = fitCell(cell.text + (cell.flag ?? ''), column);
  if (!cell.flag) return [{ text: fitted, tone: cell.tone }];
  const at = Math.min(cell.text.length, fitted.length);
  const flagEnd = Math.min(at + cell.flag.length, fitted.length);
  return [
    { text: fitted.slice(0, at), tone: cell.tone },
    { text: fitted.slice(at, flagEnd), tone: 'red' as const },
    { text: fitted.slice(flagEnd), tone: undefined },
  ].filter((segment) => segment.text !== '');
}
