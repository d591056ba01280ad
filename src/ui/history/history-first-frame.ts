/**
 * The history browser's first screen as plain text, drawn before ink and react have loaded
 * (they take a few hundred milliseconds to import): the user reads the newest deliveries at
 * once, then the live browser takes over and redraws the same layout. Pure: lines in, lines out.
 * `HistoryBrowser` and `DeliveryList` draw this layout with ink; a test keeps the two identical.
 */
import { headColumns, textWidth } from '../../format/columns.js';
import { palette } from '../../format/display.js';
import type { DeliverySummary } from '../../store/delivery-record.js';
import { LIST_KEYS } from '../tui/browser-keys.js';
import { type CellTone, cellOf, cellSegments, fitCell, layoutColumns } from '../tui/list-columns.js';
import { listWindow, rowCells } from '../tui/row-format.js';

export interface FirstFrameInput {
  path: string;
  rows: readonly DeliverySummary[];
  pageSize: number;
  queryText: string;
  /** `--limit`: the browser lists no more rows than this. */
  limit?: number;
  columns: number;
  terminalRows: number;
  color: boolean;
}

/** Rows read per query: enough for any screen, little enough to stay instant on a million. */
export const HISTORY_PAGE_SIZE = 200;

/** Lines of the list between the header and the help line, as `HistoryBrowser` sizes it. */
export function listHeight(terminalRows: number): number {
  return Math.max(3, terminalRows - 7);
}

export function loadedText(count: number, exhausted: boolean, limit?: number): string {
  const text = `${count}${exhausted ? '' : '+'} deliver${count === 1 ? 'y' : 'ies'}`;
  return limit !== undefined && count >= limit ? `${text} (--limit ${limit})` : text;
}

/** Whether every row the browser will list is loaded: the last page was short, or `--limit` is reached. */
export function allLoaded(count: number, lastPage: number, pageSize: number, limit?: number): boolean {
  return lastPage < pageSize || (limit !== undefined && count >= limit);
}

/** How many rows the next read asks for: a page, or what is left under `--limit`. */
export function nextPageSize(loaded: number, pageSize: number, limit?: number): number {
  return limit === undefined ? pageSize : Math.max(0, Math.min(pageSize, limit - loaded));
}

type Segment = [text: string, paint?: (text: string) => string];

/** Joins painted segments, cut at `width` columns with an ellipsis, as ink's wrap="truncate" does. */
function line(segments: Segment[], width: number): string {
  const plain = segments.map(([t]) => t).join('');
  if (textWidth(plain) <= width) return segments.map(([t, paint]) => (paint ? paint(t) : t)).join('');
  let room = Math.max(0, width - 1);
  const out: string[] = [];
  for (const [text, paint] of segments) {
    const part = headColumns(text, room);
    room -= textWidth(part);
    out.push(paint ? paint(part) : part);
    if (part !== text) break;
  }
  return `${out.join('')}…`;
}

/** The column header and the visible rows of the history list (selection on the first row), as `DeliveryList` lays them out. */
export function historyListLines(
  rows: readonly DeliverySummary[],
  width: number,
  height: number,
  color: boolean,
  moreToRead = false,
): string[] {
  const c = palette(color);
  const columns = layoutColumns(width, true);
  const paint = (tone: CellTone) => (tone ? c[tone] : undefined);
  const header = `  ${columns.map((column) => fitCell(column.spec.title, column)).join(' ')}`;
  const lines = [line([[header, c.bold]], width)];
  const view = listWindow(0, rows.length, height, 0, moreToRead);
  rows.slice(0, view.rows).forEach((row, index) => {
    const cells = rowCells(row, true);
    const selected = index === 0;
    const segments: Segment[] = [[selected ? '› ' : '  ']];
    columns.forEach((column, n) => {
      if (n > 0) segments.push([' ']);
      for (const piece of cellSegments(cellOf(cells, column.spec.key, selected), column))
        segments.push([piece.text, paint(piece.tone)]);
    });
    const text = line(segments, width);
    lines.push(selected ? c.inverse(text) : text);
  });
  if (view.hint) lines.push(line([[`  ${view.hint}`, c.dim]], width));
  return lines;
}

export function historyFirstFrame(input: FirstFrameInput): string[] {
  const c = palette(input.color);
  const height = listHeight(input.terminalRows);
  const exhausted = allLoaded(input.rows.length, input.rows.length, input.pageSize, input.limit);
  const filter = Boolean(input.queryText);
  const list = input.rows.length
    ? historyListLines(input.rows, input.columns, height, input.color, !exhausted)
    : [
        ...historyListLines([], input.columns, height, input.color),
        c.dim(input.queryText ? 'no delivery matches the filter (Esc clears it)' : 'no deliveries yet'),
      ];
  // Cut to the width with an ellipsis, as ink's wrap="truncate" cuts the help line.
  const help = line(
    LIST_KEYS.flatMap(([key, what], i): Segment[] => [
      ...(i > 0 ? [[' · ', c.dim] as Segment] : []),
      [key, c.bold],
      [' '],
      [what, c.dim],
    ]),
    input.columns,
  );
  return [
    line(
      [
        ['webhooks-cli history', c.bold],
        [` ${loadedText(input.rows.length, exhausted, input.limit)}`],
        [filter ? `  filter: ${input.queryText}` : '', c.cyan],
        [`  ${input.path}`, c.dim],
      ],
      input.columns,
    ),
    '',
    ...list,
    ...Array.from({ length: Math.max(0, height + 1 - list.length) }, () => ''),
    '',
    help,
  ];
}

/**
 * Clears the screen and draws the first frame. Raw mode at once: keys pressed while the browser
 * loads stay unread in the terminal, unechoed, until the browser reads them.
 */
export function drawFirstFrame(
  stdout: { write(text: string): unknown },
  stdin: { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown },
  lines: readonly string[],
): void {
  stdout.write(`\u001b[?25l\u001b[2J\u001b[H${lines.join('\n')}`);
  if (stdin.isTTY) stdin.setRawMode?.(true);
}
