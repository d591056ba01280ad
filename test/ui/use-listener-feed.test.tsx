import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Listener } from '../../src/receiver/index.js';
import { useListenerFeed } from '../../src/ui/listen/use-listener-feed.js';
import { frameMatching } from '../helpers/ink.js';
import { deliverSigned, inProcessListeners } from '../helpers/listen.js';

const SECRET = 'feed-secret';
const listeners = inProcessListeners(SECRET);
afterEach(() => listeners.closeAll());
const realListener = () => listeners.start();
const deliver = (listener: Listener, id: string, secret = SECRET) =>
  deliverSigned(listener, 'customer.cart.added', id, secret);

/** Renders what the hook gives, one line: the rows' seq:delivery, the counts, the write problem. */
function Feed({ listener, maxRows = 100 }: { listener: Listener; maxRows?: number }) {
  const { rows, stats, writeProblem } = useListenerFeed(listener, { maxRows, maxBytes: 1024 * 1024, refreshMs: 10 });
  const list = rows.map((r) => `${r.seq}:${r.record.deliveryId}`).join(',');
  return (
    <Text>{`rows=[${list}] received=${stats.received} valid=${stats.valid} invalid=${stats.invalid} problem=${writeProblem ?? '-'}`}</Text>
  );
}

describe('useListenerFeed', () => {
  it('takes in requests as they arrive, numbered in order, with the listener counts', async () => {
    const listener = await realListener();
    const ui = render(<Feed listener={listener} />);
    expect(await frameMatching(ui, 'received=0')).toContain('rows=[]');
    await deliver(listener, 'dlv_a');
    await deliver(listener, 'dlv_b', 'wrong-secret');
    const frame = await frameMatching(ui, 'received=2');
    expect(frame).toContain('rows=[1:dlv_a,2:dlv_b] received=2 valid=1 invalid=1 problem=-');
    ui.unmount();
  });

  it('keeps only the newest maxRows, numbering on across bursts', async () => {
    const listener = await realListener();
    const ui = render(<Feed listener={listener} maxRows={2} />);
    // Each request its own burst: wait until the feed has taken it in before sending the next
    // (a burst is numbered only as far as it can show, so three at once would read 1 and 2).
    for (const id of ['dlv_1', 'dlv_2', 'dlv_3']) {
      await deliver(listener, id);
      await frameMatching(ui, `:${id}]`);
    }
    expect(await frameMatching(ui, 'received=3')).toContain('rows=[2:dlv_2,3:dlv_3]');
    await deliver(listener, 'dlv_4');
    expect(await frameMatching(ui, 'received=4')).toContain('rows=[3:dlv_3,4:dlv_4]');
    ui.unmount();
  });

  it('stops listening when unmounted: later requests are recorded but not taken in', async () => {
    const listener = await realListener();
    const ui = render(<Feed listener={listener} />);
    await deliver(listener, 'dlv_before');
    expect(await frameMatching(ui, 'rows=[1:dlv_before] received=1')).toContain('rows=[1:dlv_before] received=1');
    ui.unmount();
    await deliver(listener, 'dlv_after');
    expect(listener.stats().received).toBe(2);
    // Give a still-running interval the time to take it in, then check that none did.
    await new Promise((r) => setTimeout(r, 100));
    expect(ui.frames.join('\n')).not.toContain('dlv_after');
  });
});
