/** The lists' columns: the schema's `!` stays beside the signature mark, in red, at any width. */
import { describe, expect, it } from 'vitest';
import { cellOf, cellSegments, layoutColumns } from '../../src/ui/tui/list-columns.js';
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
