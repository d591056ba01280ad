/** The delivery lists and the detail view on narrow and wide terminals: what matters stays on screen. */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { replayThroughListener } from '../../src/delivery/replay-action.js';
import type { DeliveryRecord, DeliverySummary } from '../../src/store/delivery-record.js';
import { HistoryBrowser } from '../../src/ui/history/HistoryBrowser.js';
import { historyFirstFrame } from '../../src/ui/history/history-first-frame.js';
import { ListenApp } from '../../src/ui/listen/ListenApp.js';
import { frameMatching, resizeTo, type } from '../helpers/ink.js';
import { deliverSigned, inProcessListeners } from '../helpers/listen.js';

const SECRET = 'narrow-secret';
const listeners = inProcessListeners(SECRET);
afterEach(() => listeners.closeAll());

const clean = (frame: string) =>
  frame
    .split('\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal control sequences is the point
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, '').trimEnd())
    .join('\n')
    .trimEnd();

function summary(i: number, overrides: Partial<DeliverySummary> = {}): DeliverySummary {
  return {
    id: 100 - i,
    direction: i % 2 ? 'in' : 'out',
    source: 'listen',
    createdAt: Date.UTC(2026, 0, 1, 12, 0, i),
    event: 'catalog.bulk.import.completed',
    deliveryId: `dlv_${String(i).padStart(24, '0')}`,
    method: 'POST',
    url: '/webhook',
    remoteAddress: null,
    bodySize: 10,
    status: 200,
    durationMs: 2.5,
    error: null,
    signatureValid: true,
    signatureError: null,
    duplicate: false,
    replayOf: null,
    ...overrides,
  };
}

const HISTORY_ROWS = [
  summary(0, { status: 401, signatureValid: false, error: 'signature mismatch' }),
  summary(1, { duplicate: true }),
  summary(2),
];

describe.each([60, 80, 120])('at %i columns', (columns) => {
  it('the live list keeps SIG, CODE and NOTE: the duplicate and the reason for a 401 show', async () => {
    const listener = await listeners.start();
    const ui = render(
      <ListenApp
        listener={listener}
        verify
        replay={replayThroughListener(listener)}
        onQuit={() => {}}
        refreshMs={10}
      />,
    );
    resizeTo(ui, columns, 30);
    await deliverSigned(listener, 'catalog.product.created', 'dlv_first_of_two', SECRET);
    await deliverSigned(listener, 'catalog.product.created', 'dlv_first_of_two', SECRET);
    await deliverSigned(listener, 'customer.cart.added', 'dlv_wrong_secret', 'not-the-secret');
    const frame = clean(await frameMatching(ui, /received 3[\s\S]*401/));
    const lines = frame.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(columns);
    expect(lines.find((l) => l.includes('CODE'))).toMatch(/SIG +CODE +EVENT.* NOTE$/);
    expect(lines.find((l) => / 401 /.test(l))).toMatch(/✗ +401 +customer\S*added .*signature/);
    expect(lines.filter((l) => / 200 /.test(l))[1]).toMatch(/duplicate$/);
    if (columns >= 80) expect(lines.find((l) => l.includes('CODE'))).toMatch(/TIME +SIG.*LATENCY +NOTE/);
    ui.unmount();
  });

  it('the history keeps SIG, CODE and NOTE, and its plain first frame is the ink frame', async () => {
    const source = { path: '/tmp/h.db', list: () => HISTORY_ROWS, get: () => undefined };
    const plain = clean(
      historyFirstFrame({
        path: '/tmp/h.db',
        rows: HISTORY_ROWS,
        pageSize: 200,
        queryText: '',
        columns,
        terminalRows: 20,
        color: false,
      }).join('\n'),
    );
    const ui = render(<HistoryBrowser source={source} onQuit={() => {}} initialRows={HISTORY_ROWS} />);
    resizeTo(ui, columns, 20);
    // The resize redraws on the next render; the plain frame's column header is the sign it did.
    const inkFrame = clean(await frameMatching(ui, plain.split('\n')[2]!));
    ui.unmount();
    expect(plain).toBe(inkFrame);
    const lines = inkFrame.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(columns);
    expect(lines.find((l) => l.includes('CODE'))).toMatch(/SIG +CODE +EVENT.* NOTE$/);
    expect(lines.find((l) => l.includes(' 401 '))).toMatch(/✗ +401 +catalog\S+ .*signature m/);
    expect(lines.find((l) => l.includes('duplicate'))).toBeDefined();
    // The delivery id is shortened in the middle: its distinctive tail stays.
    expect(lines.find((l) => l.includes(' 401 '))).toMatch(/dlv_\S*0{2}/);
  });
});

describe('the detail view on a small terminal (50×12)', () => {
  it('scrolls its body: the end of a long body can be reached with ↓', async () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ sku: `sku_${i}` }));
    const body = Buffer.from(JSON.stringify({ event: 'catalog.bulk.import.completed', data: { items } }));
    const record: DeliveryRecord & { id: number } = {
      ...summary(0),
      id: 100,
      requestHeaders: { 'content-type': 'application/json', 'x-webhook-event': 'catalog.bulk.import.completed' },
      requestBody: body,
      responseHeaders: null,
      responseBody: null,
    };
    const { bodySize: _size, ...rest } = record as DeliveryRecord & { id: number; bodySize?: number };
    const source = { path: '/tmp/h.db', list: () => [summary(0)], get: () => rest };
    const ui = render(<HistoryBrowser source={source} onQuit={() => {}} initialRows={[summary(0)]} />);
    resizeTo(ui, 50, 12);
    await type(ui, '\r');
    const first = clean(await frameMatching(ui, 'Esc back'));
    expect(first.split('\n').length).toBeLessThanOrEqual(12);
    expect(first).toMatch(/more lines \(↓\)/);
    expect(first).not.toContain('sku_19');
    await type(
      ui,
      Array.from({ length: 20 }, () => ' '),
    );
    const end = clean(await frameMatching(ui, 'sku_19'));
    expect(end).toContain('"sku": "sku_19"');
    expect(end.split('\n').length).toBeLessThanOrEqual(12);
    ui.unmount();
  });
});

describe('the empty live list with a relay', () => {
  it('names the public URL to trigger, not the local one', async () => {
    const listener = await listeners.start();
    const ui = render(
      <ListenApp
        listener={listener}
        verify
        replay={replayThroughListener(listener)}
        onQuit={() => {}}
        refreshMs={10}
      />,
    );
    listener.setInfo({ relay: { state: 'connected', publicUrl: 'https://relay.example/ch_public' } });
    const frame = await frameMatching(ui, 'relay connected');
    expect(frame).toContain('trigger --all --to https://relay.example/ch_public --secret');
    expect(frame).not.toContain(`--to ${listener.url}`);
    ui.unmount();
  });
});
