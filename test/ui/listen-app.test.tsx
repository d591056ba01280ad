import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { replayThroughListener } from '../../src/delivery/replay-action.js';
import type { Listener } from '../../src/receiver/index.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { ListenApp } from '../../src/ui/listen/ListenApp.js';
import { frameMatching, type } from '../helpers/ink.js';
import { deliverSigned, inProcessListeners } from '../helpers/listen.js';

const SECRET = 'listen-secret';
const listeners = inProcessListeners(SECRET);
afterEach(() => listeners.closeAll());
const realListener = () => listeners.start();
const deliver = (listener: Listener, event: string, id: string, secret = SECRET) =>
  deliverSigned(listener, event, id, secret);

function mount(listener: Listener, onQuit = () => {}, props: { maxRows?: number; messageMs?: number } = {}) {
  return render(
    <ListenApp
      listener={listener}
      verify
      replay={replayThroughListener(listener)}
      onQuit={onQuit}
      refreshMs={10}
      {...props}
    />,
  );
}

describe('ListenApp', () => {
  it('says it is ready once it is subscribed to the listener, so a request sent then is listed', async () => {
    const listener = await realListener();
    let subscribed = false;
    const source = {
      ...listener,
      onRecord: (handler: Parameters<Listener['onRecord']>[0]) => ((subscribed = true), listener.onRecord(handler)),
    };
    let subscribedWhenReady: boolean | undefined;
    let ui!: ReturnType<typeof render>;
    const ready = new Promise<void>((resolve) => {
      const onReady = () => ((subscribedWhenReady = subscribed), resolve());
      ui = render(
        <ListenApp
          listener={source}
          verify
          replay={replayThroughListener(listener)}
          onQuit={() => {}}
          onReady={onReady}
          refreshMs={10}
        />,
      );
    });
    await ready;
    expect(subscribedWhenReady).toBe(true);
    await deliver(listener, 'catalog.product.created', 'dlv_sent_when_ready');
    expect(await frameMatching(ui, /dlv_sent_when_ready/)).toMatch(
      /✓ +200 +catalog\.product\.created +dlv_sent_when_ready/,
    );
    ui.unmount();
  });

  it('shows the URL, the masked secret and a waiting hint before anything arrives', async () => {
    const listener = await realListener();
    const ui = mount(listener);
    const frame = await frameMatching(ui, 'waiting for webhooks');
    expect(frame).toContain(listener.url);
    expect(frame).toContain('secrets li********');
    expect(frame).not.toContain(SECRET);
    expect(frame).toContain('received 0');
    expect(frame).toContain('waiting for webhooks');
    expect(frame).toContain('↑/↓ j/k move · Enter details · r replay · e edit+replay · f filter · q quit');
    ui.unmount();
  });

  it('lists requests live with ✓/✗ and counts, and shows relay and registration state when set', async () => {
    const listener = await realListener();
    const ui = mount(listener);
    await deliver(listener, 'catalog.product.created', 'dlv_good');
    await deliver(listener, 'customer.cart.added', 'dlv_bad', 'wrong-secret');
    await deliver(listener, 'catalog.product.created', 'dlv_good');
    listener.setInfo({ relay: { state: 'connected', publicUrl: 'https://relay.example/t/abc' }, webhookId: 'wh_123' });
    const frame = await frameMatching(ui, /received 3 [\s\S]*webhook wh_123/);
    expect(frame).toMatch(/received 3 +✓ 2 +✗ 1 +duplicates 1/);
    expect(frame).toMatch(/✓ +200 +catalog\.product\.created +dlv_good/);
    expect(frame).toMatch(/✗ +401 +customer\.cart\.added +dlv_bad .*signatur/);
    expect(frame).toMatch(/duplicate/);
    expect(frame).toContain('relay connected https://relay.example/t/abc');
    expect(frame).toContain('webhook wh_123');
    // The newest row is selected while following.
    expect(frame.split('\n').find((l) => l.startsWith('›'))).toContain('dlv_good');
    ui.unmount();
  });

  it('opens the detail of the selected request with its signature diagnosis, and goes back on Esc', async () => {
    const listener = await realListener();
    const ui = mount(listener);
    await deliver(listener, 'customer.cart.added', 'dlv_bad', 'wrong-secret');
    await deliver(listener, 'catalog.product.created', 'dlv_good');
    await frameMatching(ui, 'received 2');
    await type(ui, ['k', '\r']);
    const frame = await frameMatching(ui, 'Esc back');
    expect(frame).toContain('dlv_bad  customer.cart.added');
    expect(frame).toContain('✗ signature does not match the body with any configured secret');
    expect(frame).toMatch(/expected +sha256=/);
    expect(frame).toContain('x-webhook-delivery: dlv_bad');
    expect(frame).toContain('Esc back');
    await type(ui, ' ');
    expect(await frameMatching(ui, '"product_id": "prod_1"')).toContain('"product_id": "prod_1"');
    await type(ui, '\u001b');
    expect(await frameMatching(ui, 'Enter details')).toContain('Enter details');
    ui.unmount();
  });

  it('replays the selected request with r: a new delivery, recorded and received again', async () => {
    const listener = await realListener();
    const ui = mount(listener);
    await deliver(listener, 'catalog.product.created', 'dlv_original');
    await frameMatching(ui, 'received 1');
    await type(ui, 'r');
    const frame = await frameMatching(ui, /replayed[\s\S]*received 2|received 2[\s\S]*replayed/);
    // The result names where the signed replay went: the listener itself.
    expect(frame).toMatch(
      new RegExp(`✓ replayed dlv_original as dlv_\\w+ to ${listener.url.replace(/[.]/g, '\\.')} → 200`),
    );
    expect(frame).toContain('received 2');
    // The copy that came back is marked as a replay (the original's id follows where the column has room).
    const marked = await frameMatching(ui, /↻ replay of/);
    expect(marked.split('\n').find((l) => l.includes('↻'))).toMatch(
      /✓ +200 +catalog\.product\.created +dlv_(?!original)/,
    );
    ui.unmount();
    const dbPath = listener.dbPath;
    await listener.close();
    const store = HistoryStore.open(dbPath);
    const replayed = store.list({ direction: 'out' });
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).toMatchObject({ source: 'replay', replayOf: 'dlv_original', status: 200 });
    store.close();
  });

  it('r on a request without a delivery id or event type says which request and what is missing', async () => {
    const listener = await realListener();
    const ui = mount(listener);
    const body = '{"data": {"n": 1}}';
    await fetch(listener.url, { method: 'POST', body, headers: { 'x-webhook-signature': sign(body, SECRET) } });
    await frameMatching(ui, 'received 1');
    await type(ui, 'r');
    const frame = await frameMatching(ui, /replay failed/);
    expect(frame).toMatch(
      /replay failed: the request received at \d\d:\d\d:\d\d \(it had no delivery id\) has no event type to replay/,
    );
    expect(frame).not.toMatch(/undefined/);
    ui.unmount();
  });

  it('filters with f and clears with Esc; quits with q', async () => {
    const listener = await realListener();
    let quit = false;
    const ui = mount(listener, () => (quit = true));
    await deliver(listener, 'catalog.product.created', 'dlv_one');
    await deliver(listener, 'customer.cart.added', 'dlv_two', 'wrong-secret');
    await frameMatching(ui, 'received 2');
    await type(ui, ['f', 'invalid']);
    // The cursor is a reverse-video cell after the text (no colours here, so a blank), not a glyph.
    let frame = await frameMatching(ui, /^filter: invalid$/m);
    expect(frame).toMatch(/^filter: invalid$/m);
    expect(frame).not.toContain('█');
    expect(frame).toContain('Ctrl-U erase');
    await type(ui, '\r');
    frame = await frameMatching(ui, 'filter: invalid (1 of 2)');
    expect(frame).toContain('dlv_two');
    expect(frame).not.toContain('dlv_one');
    // The filter in force is in the header, beside the counts.
    expect(frame).toMatch(/received 2 .*filter: invalid \(1 of 2\)/);
    expect(frame).toContain('Esc clear filter');
    await type(ui, '\u001b');
    frame = await frameMatching(ui, 'dlv_one');
    expect(frame).toContain('dlv_one');
    expect(frame).not.toContain('filter:');
    await type(ui, 'q');
    expect(quit).toBe(true);
    ui.unmount();
  });

  it('reopening f offers the filter to replace: typing replaces it, Backspace and Ctrl-U erase it', async () => {
    const listener = await realListener();
    const ui = mount(listener);
    await deliver(listener, 'catalog.product.created', 'dlv_one');
    await deliver(listener, 'customer.cart.added', 'dlv_two', 'wrong-secret');
    await frameMatching(ui, 'received 2');
    await type(ui, ['f', 'invalid', '\r']);
    await frameMatching(ui, 'filter: invalid (1 of 2)');
    await type(ui, 'f');
    expect(await frameMatching(ui, 'typing replaces it')).toMatch(/^filter: invalid +typing replaces it/m);
    await type(ui, ['status:200', '\r']);
    let frame = await frameMatching(ui, 'filter: status:200 (1 of 2)');
    expect(frame).toContain('dlv_one');
    expect(frame).not.toContain('dlv_two');
    expect(frame).not.toContain('invalidstatus');
    await type(ui, ['f', '\u007f', 'event:customer.cart.added', '\r']);
    frame = await frameMatching(ui, 'filter: event:customer.cart.added (1 of 2)');
    expect(frame).toContain('dlv_two');
    await type(ui, ['f', '\u001b[C', '\u0015', 'dlv_one', '\r']);
    frame = await frameMatching(ui, 'filter: dlv_one (1 of 2)');
    expect(frame).not.toContain('dlv_two');
    ui.unmount();
  });

  it('clears a replay result after a while, or at the next key', async () => {
    const listener = await realListener();
    const ui = mount(listener, () => {}, { messageMs: 400 });
    await deliver(listener, 'catalog.product.created', 'dlv_original');
    await frameMatching(ui, 'received 1');
    await type(ui, 'r');
    expect(await frameMatching(ui, '✓ replayed')).toContain('✓ replayed dlv_original');
    expect(await frameMatching(ui, /^(?![\s\S]*replayed)/)).not.toContain('replayed');
    ui.unmount();
    // With a long timeout, the next key clears it.
    const patient = mount(listener, () => {}, { messageMs: 60_000 });
    await deliver(listener, 'catalog.product.created', 'dlv_second');
    await frameMatching(patient, 'dlv_second');
    await type(patient, 'r');
    expect(await frameMatching(patient, '✓ replayed')).toContain('✓ replayed');
    await type(patient, 'k');
    expect(await frameMatching(patient, /^(?![\s\S]*replayed)/)).not.toContain('replayed');
    patient.unmount();
  });

  it('a detail view stays on its delivery when the live list drops that row for newer ones', async () => {
    const listener = await realListener();
    const ui = mount(listener, () => {}, { maxRows: 3 });
    await deliver(listener, 'catalog.product.created', 'dlv_opened');
    await frameMatching(ui, 'received 1');
    await type(ui, '\r');
    await frameMatching(ui, /dlv_opened +catalog\.product\.created/);
    for (let i = 0; i < 5; i++) await deliver(listener, 'customer.cart.added', `dlv_newer_${i}`);
    const frame = await frameMatching(ui, 'received 6');
    expect(frame).toMatch(/dlv_opened +catalog\.product\.created/);
    expect(frame).not.toContain('dlv_newer_');
    ui.unmount();
  });

  it('keeps only the newest maxRows requests in the live list; the filter counts say so', async () => {
    const listener = await realListener();
    const ui = mount(listener, () => {}, { maxRows: 5 });
    for (let i = 0; i < 12; i++)
      await deliver(listener, 'catalog.product.created', `dlv_${String(i).padStart(2, '0')}`);
    await frameMatching(ui, 'received 12');
    // `/` opens the filter line too, as in the web inspector.
    await type(ui, ['/', 'valid', '\r']);
    const frame = await frameMatching(ui, 'filter: valid (5 of the last 5)');
    expect(frame).toContain('filter: valid (5 of the last 5)');
    expect(frame.match(/dlv_\d\d/g)).toEqual(['dlv_07', 'dlv_08', 'dlv_09', 'dlv_10', 'dlv_11']);
    ui.unmount();
  });
});
