import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { textWidth } from '../../src/format/columns.js';
import { formatSpan } from '../../src/format/display.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { backlogLine, formatRequestLine, requestJson } from '../../src/ui/request-line.js';
import { deliveryRecord } from '../helpers/records.js';

function received(overrides: Partial<DeliveryRecord>): DeliveryRecord {
  return deliveryRecord({
    createdAt: Date.UTC(2026, 0, 1, 12, 0, 0),
    deliveryId: 'dlv_0123456789abcdef01234567',
    durationMs: 1.2,
    ...overrides,
  });
}

describe('listen --no-tui request lines', () => {
  it('keep the delivery id in one column for every event type, the longest included', () => {
    const lines = [
      ...EVENT_TYPES.map((event) => received({ event })),
      received({ event: null, method: '?', status: 408 }),
    ].map((r) => formatRequestLine(r, false));
    expect(lines.some((l) => l.includes('catalog.bulk.import.completed'))).toBe(true);
    const columns = new Set(
      lines.map((l) => (l.indexOf('dlv_') >= 0 ? l.indexOf('dlv_') : l.lastIndexOf('  -  ') + 2)),
    );
    expect([...columns]).toHaveLength(1);
    // Two spaces after the longest event type, as after every other column.
    const longest = Math.max(...EVENT_TYPES.map((e) => e.length));
    expect([...columns][0]).toBe(lines[0]!.indexOf(EVENT_TYPES[0]!) + longest + 2);
  });
});

describe('request lines with CJK and emoji', () => {
  it('keep the delivery id in one terminal column whatever the event header holds', () => {
    const lines = ['catalog.product.created', '商品.作成', '🛒.added', 'customer.カート.追加'].map((event) =>
      formatRequestLine(received({ event }), false),
    );
    const idColumns = new Set(lines.map((l) => textWidth(l.slice(0, l.indexOf('dlv_')))));
    expect([...idColumns]).toHaveLength(1);
  });

  it('colour codes take no columns: coloured and plain lines line up', () => {
    const event = '商品.作成';
    const plain = formatRequestLine(received({ event }), false);
    const coloured = formatRequestLine(received({ event }), true);
    expect(coloured).not.toBe(plain);
    expect(textWidth(coloured)).toBe(textWidth(plain));
  });
});

describe('held deliveries in lines', () => {
  it('reads a span in its two largest units', () => {
    expect(
      [850, 12_400, 192_000, 180_000, 11_520_000, 10_800_000, 72 * 3_600_000, 50 * 3_600_000].map(formatSpan),
    ).toEqual(['850ms', '12s', '3m12s', '3m', '3h12m', '3h', '3d', '2d2h']);
  });

  it('says what the relay held: catching up, then caught up, and what --backlog skipped', () => {
    expect(backlogLine({ state: 'catching-up', count: 1204, skipped: 0, oldestHeldMs: 11_520_000 })).toBe(
      'catching up 1,204 held deliveries (the oldest held 3h12m)…',
    );
    expect(backlogLine({ state: 'caught-up', count: 1204, skipped: 0, maxHeldMs: 11_520_000 })).toBe(
      'caught up 1,204 deliveries held for up to 3h12m',
    );
    expect(backlogLine({ state: 'caught-up', count: 1, skipped: 30, maxHeldMs: 2_000 })).toBe(
      'caught up 1 delivery held for up to 2s; 30 held deliveries skipped (--backlog)',
    );
    expect(backlogLine({ state: 'caught-up', count: 0, skipped: 4 })).toBe('4 held deliveries skipped (--backlog)');
  });

  it('marks a held delivery on its line and in its JSON', () => {
    const record = received({ heldMs: 192_000 });
    expect(formatRequestLine(record, false)).toMatch(/ {2}held 3m12s$/);
    expect(requestJson(record)).toMatchObject({ held_ms: 192_000, app_held: null });
    expect(formatRequestLine(received({ appHeld: true }), false)).toMatch(/ {2}held for the app$/);
  });
});
