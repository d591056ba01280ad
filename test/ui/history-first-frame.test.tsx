import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../../src/store/delivery-record.js';
import { HistoryBrowser } from '../../src/ui/history/HistoryBrowser.js';
import { historyFirstFrame } from '../../src/ui/history/history-first-frame.js';

function summary(i: number, overrides: Partial<DeliverySummary> = {}): DeliverySummary {
  return {
    id: 1000 - i,
    direction: i % 2 ? 'in' : 'out',
    source: 'listen',
    createdAt: Date.UTC(2026, 0, 1, 12, 0, i),
    event: i % 3 ? 'customer.cart.added' : 'catalog.bulk.import.completed',
    deliveryId: `dlv_${String(i).padStart(24, '0')}`,
    method: 'POST',
    url: '/webhook',
    remoteAddress: null,
    bodySize: 10,
    status: i === 2 ? 401 : 200,
    durationMs: 1.5 + i,
    error: i === 2 ? 'answered 401' : null,
    signatureValid: i % 2 ? i !== 3 : null,
    signatureError: null,
    duplicate: i === 5,
    replayOf: null,
    ...overrides,
  };
}

// ANSI is stripped: ink-testing-library keeps some codes of its own (around a truncation mark).
const clean = (lines: string[]) =>
  lines
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal control sequences is the point
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, '').trimEnd())
    .join('\n')
    .trimEnd();

describe('history first frame', () => {
  it.each([
    ['a few rows', Array.from({ length: 8 }, (_, i) => summary(i))],
    ['more rows than fit', Array.from({ length: 60 }, (_, i) => summary(i))],
    ['no rows', []],
    [
      'CJK and emoji rows',
      Array.from({ length: 6 }, (_, i) =>
        summary(i, {
          event: i % 2 ? '商品カタログ.更新' : 'customer.cart.added',
          deliveryId: `dlv_🛒${'注文'.repeat(i)}_${i}`,
          error: i % 3 ? null : '受信者が 500 を返しました 🔥',
        }),
      ),
    ],
  ])('is the same text the ink browser draws first (%s)', (_name, rows) => {
    const source = { path: '/tmp/h.db', list: () => rows, get: () => undefined };
    const app = render(<HistoryBrowser source={source} onQuit={() => {}} initialRows={rows} />);
    const inkFrame = app.lastFrame()!.split('\n');
    app.unmount();
    const plain = historyFirstFrame({
      path: '/tmp/h.db',
      rows,
      pageSize: 200,
      queryText: '',
      columns: 100,
      terminalRows: 30,
      color: false,
    });
    expect(clean(plain)).toBe(clean(inkFrame));
    // The delivery id may be shortened in the middle; its distinctive tail stays.
    if (rows.length) expect(plain.join('\n')).toContain(rows[0]!.deliveryId!.slice(-8));
  });
});
