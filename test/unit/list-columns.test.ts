/** The lists' columns: the schema's `!` stays beside the signature mark, in red, at any width; widths in terminal columns. */
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/format/columns.js';
import {
  cellOf,
  cellSegments,
  fitCell,
  LIST_COLUMNS,
  layoutColumns,
  ROW_PREFIX,
} from '../../src/ui/tui/list-columns.js';
import { type ListRow, rowCells } from '../../src/ui/tui/row-format.js';

const row = (overrides: Partial<ListRow> = {}): ListRow => ({
  createdAt: Date.UTC(2026, 0, 1, 12),
  event: 'customer.cart.added',
  deliveryId: 'dlv_1',
  signatureValid: true,
  status: 200,
  durationMs: 3,
  duplicate: false,
  direction: 'in',
  error: null,
  method: 'POST',
  url: '/webhook',
  replayOf: null,
  schemaValid: null,
  schemaErrors: null,
  ...overrides,
});

describe('the SIG column', () => {
  it.each([60, 80, 120])('at %i columns holds the signature mark and, beside it in red, the schema mark', (width) => {
    const sig = layoutColumns(width, false).find((c) => c.spec.key === 'sig')!;
    const broken = cellSegments(
      cellOf(
        rowCells(
          row({
            schemaValid: false,
            schemaErrors: [{ path: 'data.cart_id', rule: 'required', message: 'is required' }],
          }),
        ),
        'sig',
        false,
      ),
      sig,
    );
    expect(broken.map((s) => s.text).join('')).toBe('✓! ');
    expect(broken.slice(0, 2)).toEqual([
      { text: '✓', tone: 'green' },
      { text: '!', tone: 'red' },
    ]);
    expect(cellSegments(cellOf(rowCells(row()), 'sig', false), sig)).toEqual([{ text: '✓  ', tone: 'green' }]);
  });

  it('a duplicate that broke its schema has its note drawn as an error, a plain duplicate as a warning', () => {
    expect(cellOf(rowCells(row({ duplicate: true, schemaValid: false, schemaErrors: [] })), 'note', false).tone).toBe(
      'red',
    );
    expect(cellOf(rowCells(row({ duplicate: true })), 'note', false).tone).toBe('yellow');
  });
});

describe('CJK and emoji in the list', () => {
  const wide = row({
    event: '商品カタログ.更新された',
    deliveryId: 'dlv_🛒🛍️_注文_0123456789',
    error: '受信者が 500 を返しました 🔥',
  });
  const columnStarts = (cells: string[]) => {
    const starts: number[] = [];
    let at = ROW_PREFIX;
    for (const cell of cells) {
      starts.push(at);
      at += textWidth(cell) + 1;
    }
    return starts;
  };

  it.each([40, 60, 80, 120])(
    'at %i columns every row is exactly as wide as the terminal, its columns in line',
    (width) => {
      const columns = layoutColumns(width, true);
      const header = columns.map((c) => fitCell(c.spec.title, c));
      for (const r of [row(), wide]) {
        const cells = columns.map((c) =>
          cellSegments(cellOf(rowCells(r, true), c.spec.key, false), c)
            .map((s) => s.text)
            .join(''),
        );
        expect(textWidth(`  ${cells.join(' ')}`)).toBe(width);
        expect(columnStarts(cells)).toEqual(columnStarts(header));
      }
    },
  );

  it('cuts a wide delivery id and a wide event in the middle (their tails tell them apart), never inside a character', () => {
    const delivery = { spec: LIST_COLUMNS.find((c) => c.key === 'delivery')!, width: 12 };
    const cut = fitCell(wide.deliveryId!, delivery);
    expect(textWidth(cut)).toBe(12);
    expect(cut).toMatch(/^dlv_🛒.*…\d+$/u);
    const event = { spec: LIST_COLUMNS.find((c) => c.key === 'event')!, width: 9 };
    expect(fitCell(wide.event!, event)).toBe('商品…れた');
    expect(fitCell(wide.event!, { ...event, width: 10 })).toBe('商品…れた ');
    // At 15 columns, the catalog's four product events stay four different cells.
    const types = ['created', 'updated', 'deleted', 'enriched'].map((t) => `catalog.product.${t}`);
    expect(new Set(types.map((t) => fitCell(t, { ...event, width: 15 }))).size).toBe(4);
  });
});
