import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { ReplayAction } from '../../src/delivery/replay-action.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { useBrowserController } from '../../src/ui/tui/use-browser-controller.js';
import { frameMatching, type } from '../helpers/ink.js';
import { deliveryRecord } from '../helpers/records.js';

function record(deliveryId: string | null, id?: number): DeliveryRecord {
  return deliveryRecord({
    id,
    createdAt: 0,
    event: 'customer.cart.added',
    deliveryId,
    remoteAddress: null,
  });
}

const ROWS = [record('dlv_first'), record(null, 7)];

interface ProbeProps {
  replay?: ReplayAction;
  onQuit?: () => void;
  messageMs?: number;
  events?: string[];
}

/** A minimal browser: two rows, j/k select, f opens the filter, Enter opens the detail (40 lines, 10 a page). */
function Probe({ replay, onQuit = () => {}, messageMs = 60_000, events = [] }: ProbeProps) {
  const { ui, update, latest, controls } = useBrowserController(
    { selected: 0, filter: '' },
    { replay, onQuit, messageMs },
  );
  controls({
    page: 10,
    detailLength: 40,
    replayTarget: () => ROWS[latest.current.selected],
    afterReplay: () => void events.push('afterReplay'),
    finishFilter: (text) => {
      events.push(`filter:${text ?? '(cancelled)'}`);
      update({ filter: text ?? '', mode: 'list' });
    },
    onListKey: (input, key) => {
      if (input === 'j') update((s) => ({ selected: Math.min(s.selected + 1, ROWS.length - 1) }));
      else if (input === 'f') update({ mode: 'filter' });
      else if (key.return) update({ mode: 'detail', scroll: 0 });
    },
  });
  return (
    <Text>{`mode=${ui.mode} selected=${ui.selected} filter=${ui.filter} draft=${ui.draft.text} scroll=${ui.scroll} message=${ui.message || '-'}`}</Text>
  );
}

/** A replay the test finishes by hand, to see the pending state. */
function heldReplay() {
  const calls: DeliveryRecord[] = [];
  let finish!: (message: string) => void;
  let fail!: (err: Error) => void;
  const replay: ReplayAction = (original) => {
    calls.push(original);
    return new Promise<string>((resolve, reject) => ((finish = resolve), (fail = reject)));
  };
  return { replay, calls, finish: (m: string) => finish(m), fail: (e: Error) => fail(e) };
}

describe('useBrowserController', () => {
  it('r replays the selected delivery: "replaying…" stays through keys until the result, then afterReplay', async () => {
    const held = heldReplay();
    const events: string[] = [];
    const ui = render(<Probe replay={held.replay} events={events} />);
    await type(ui, ['j', 'r']);
    expect(await frameMatching(ui, 'message=replaying #7…')).toContain('selected=1');
    expect(held.calls.map((r) => r.id)).toEqual([7]);
    await type(ui, 'x');
    expect(ui.lastFrame()).toContain('message=replaying #7…');
    held.finish('✓ replayed #7');
    expect(await frameMatching(ui, 'message=✓ replayed #7')).toContain('message=✓ replayed #7');
    expect(events).toEqual(['afterReplay']);
    // A result line has been read once a key is pressed.
    await type(ui, 'x');
    expect(await frameMatching(ui, 'message=-')).toContain('message=-');
  });

  it('a failed replay says why; without a replay action it says replay is not available', async () => {
    const held = heldReplay();
    const ui = render(<Probe replay={held.replay} />);
    await type(ui, 'r');
    await frameMatching(ui, 'replaying dlv_first…');
    held.fail(new Error('connection refused'));
    expect(await frameMatching(ui, 'message=replay failed: connection refused')).toContain(
      'replay failed: connection refused',
    );

    const none = render(<Probe />);
    await type(none, 'r');
    expect(await frameMatching(none, 'not available')).toContain('message=replay is not available here');
  });

  it('a result line fades after messageMs', async () => {
    const ui = render(<Probe replay={async () => '✓ done'} messageMs={100} />);
    await type(ui, 'r');
    await frameMatching(ui, 'message=✓ done');
    expect(await frameMatching(ui, 'message=-')).toContain('message=-');
  });

  it('the filter line edits a draft; Enter applies it, Esc cancels it', async () => {
    const events: string[] = [];
    const ui = render(<Probe events={events} />);
    await type(ui, ['f', ...'dup']);
    expect(await frameMatching(ui, 'draft=dup')).toContain('mode=filter');
    await type(ui, '\r');
    expect(await frameMatching(ui, 'filter=dup ')).toContain('mode=list');
    await type(ui, ['f', 'x', '\u001b']);
    expect(await frameMatching(ui, /mode=list selected=0 filter= draft/)).toMatch(/mode=list selected=0 filter= draft/);
    expect(events).toEqual(['filter:dup', 'filter:(cancelled)']);
  });

  it('the detail view scrolls within its lines and goes back with Esc; q and Ctrl-C quit', async () => {
    let quits = 0;
    const ui = render(<Probe onQuit={() => quits++} />);
    await type(ui, ['\r', 'j', 'j', ' ']);
    expect(await frameMatching(ui, 'scroll=12')).toContain('mode=detail');
    await type(ui, [' ', ' ', ' ']);
    // 40 lines, 10 a page: the last page starts at line 30.
    expect(await frameMatching(ui, 'scroll=30')).toContain('scroll=30');
    await type(ui, '\u001b');
    expect(await frameMatching(ui, 'mode=list')).toContain('mode=list');
    await type(ui, ['q', '\u0003']);
    expect(quits).toBe(2);
  });
});
