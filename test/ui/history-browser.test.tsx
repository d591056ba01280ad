import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { HistoryBrowser, type HistorySource } from '../../src/ui/history/HistoryBrowser.js';
import { tempDir } from '../helpers/cli.js';
import { frameMatching, type } from '../helpers/ink.js';
import { deliveryRecord } from '../helpers/records.js';

const stores: HistoryStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

function record(i: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return deliveryRecord({
    createdAt: Date.UTC(2026, 0, 1, 12, 0, i % 60),
    event: 'customer.cart.added',
    deliveryId: `dlv_${String(i).padStart(6, '0')}`,
    requestHeaders: { 'x-webhook-delivery': `dlv_${i}` },
    requestBody: Buffer.from(`{"event":"customer.cart.added","n":${i}}`),
    ...overrides,
  });
}

/** A real history file with `n` rows, and a source that counts the rows each query returned. */
function history(n: number, make = record) {
  const store = HistoryStore.open(join(tempDir(), 'history.db'));
  stores.push(store);
  store.insertMany(Array.from({ length: n }, (_, i) => make(i)));
  const reads: number[] = [];
  const source: HistorySource = {
    path: store.path,
    list: (filter) => {
      const rows = store.list(filter);
      reads.push(rows.length);
      return rows;
    },
    get: (id) => store.get(id),
  };
  return { store, source, reads };
}

describe('HistoryBrowser', () => {
  it('opens on the newest page only, and reads the next page as the selection nears its end', async () => {
    const { source, reads } = history(5000);
    const ui = render(<HistoryBrowser source={source} onQuit={() => {}} pageSize={100} />);
    const first = await frameMatching(ui, '100+ deliveries');
    expect(reads).toEqual([100]);
    expect(first).toMatch(/› .*dlv_004999/);
    // Four pages down (the test terminal shows 23 rows), then three rows back up: row 89.
    await type(ui, ['\u001b[6~', '\u001b[6~', '\u001b[6~', '\u001b[6~', 'k', 'k', 'k']);
    const later = await frameMatching(ui, /› .*dlv_004910/);
    expect(later).toMatch(/› .*dlv_004910/);
    expect(later).toMatch(/[23]00\+ deliveries/);
    expect(reads.length).toBeGreaterThan(1);
    ui.unmount();
  });

  it('--limit: lists no more than the newest N, however far the selection goes, and says so', async () => {
    const { source, reads } = history(500);
    const ui = render(<HistoryBrowser source={source} onQuit={() => {}} pageSize={40} limit={70} />);
    expect(await frameMatching(ui, '40+ deliveries')).toMatch(/› .*dlv_000499/);
    await type(ui, ['\u001b[6~', '\u001b[6~', '\u001b[6~', '\u001b[6~', '\u001b[6~']);
    const last = await frameMatching(ui, /› .*dlv_000430/);
    expect(last).toMatch(/› .*dlv_000430/);
    expect(last).toContain('70 deliveries (--limit 70)');
    expect(reads).toEqual([40, 30]);
    ui.unmount();
  });

  it('shows a delivery in full on Enter and goes back on Esc', async () => {
    const { source } = history(3, (i) =>
      record(
        i,
        i === 2
          ? {
              signatureValid: false,
              signatureError: 'signature does not match the body with any configured secret',
              status: 401,
            }
          : {},
      ),
    );
    const ui = render(<HistoryBrowser source={source} onQuit={() => {}} />);
    await frameMatching(ui, '3 deliveries');
    await type(ui, '\r');
    const frame = await frameMatching(ui, 'Esc back');
    expect(frame).toContain('dlv_000002');
    expect(frame).toContain('✗ signature does not match the body');
    expect(frame).toContain('"n": 2');
    await type(ui, '\u001b');
    expect(await frameMatching(ui, 'Enter details')).toContain('3 deliveries');
    ui.unmount();
  });

  it('filters with f: typed words become a query on the history', async () => {
    const { source } = history(50, (i) => record(i, i % 10 === 0 ? { status: 401, signatureValid: false } : {}));
    const ui = render(<HistoryBrowser source={source} onQuit={() => {}} />);
    await frameMatching(ui, '50 deliveries');
    await type(ui, ['f', 'invalid']);
    const typing = await frameMatching(ui, /^filter: invalid$/m);
    expect(typing).toMatch(/^filter: invalid$/m);
    expect(typing).not.toContain('█');
    await type(ui, '\r');
    const frame = await frameMatching(ui, '5 deliveries');
    expect(frame).toContain('5 deliveries');
    expect(frame).toContain('filter: invalid');
    expect(frame).not.toContain('dlv_000049');
    ui.unmount();
  });

  it('reopening f offers the filter selected: typing replaces it, Ctrl-U erases, → keeps it', async () => {
    const { source } = history(50, (i) => record(i, i % 10 === 0 ? { status: 401, signatureValid: false } : {}));
    const ui = render(<HistoryBrowser source={source} initialQuery="invalid" onQuit={() => {}} />);
    await frameMatching(ui, '5 deliveries');
    await type(ui, ['f', 'status:200', '\r']);
    let frame = await frameMatching(ui, '45 deliveries');
    expect(frame).toContain('filter: status:200');
    expect(frame).not.toContain('invalidstatus');
    await type(ui, ['f', '\u0015', 'invalid', '\r']);
    expect(await frameMatching(ui, '5 deliveries')).toContain('filter: invalid');
    await type(ui, ['f', '\u001b[C', ' status:401', '\r']);
    // The header is cut at the terminal's width: the query shows as far as it fits.
    frame = await frameMatching(ui, 'filter: invalid status');
    expect(frame).toContain('5 deliveries');
    ui.unmount();
  });

  it('quits on q', async () => {
    const { source } = history(1);
    let quit = false;
    const ui = render(<HistoryBrowser source={source} onQuit={() => (quit = true)} />);
    await frameMatching(ui, '1 delivery');
    await type(ui, 'q');
    expect(quit).toBe(true);
    ui.unmount();
  });
});
