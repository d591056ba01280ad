/** The schema verdict in a real terminal (tmux): the list's mark at 80 and 120 columns, the problems in the detail view. */
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { loadSampleEnvelope } from '../../src/samples/sample-payloads.js';
import { BIN } from '../helpers/cli.js';
import { startListen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const SECRET = 's3cret';
let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

async function recordVerdicts() {
  const listener = await startListen(['--secret', SECRET, '--validate']);
  const send = (body: unknown, id: string) => {
    const raw = JSON.stringify(body);
    return fetch(listener.url, {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-webhook-event': 'customer.cart.added',
        'x-webhook-delivery': id,
        'x-webhook-signature': sign(raw, SECRET),
      },
    });
  };
  await send(loadSampleEnvelope('customer.cart.added'), 'dlv_fine');
  const broken = loadSampleEnvelope('customer.cart.added');
  broken.data.quantity = 'one';
  delete broken.data.cart_id;
  await send(broken, 'dlv_broken');
  await listener.stop();
  return listener;
}

describe.skipIf(skipWithout('tmux'))('schema verdict in the history browser', () => {
  it.each([80, 120])('at %i columns: a mark on the broken row, its problems in the detail view', async (columns) => {
    const { configDir, dbPath } = await recordVerdicts();
    session = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} NO_COLOR=1 ${process.execPath} ${BIN} history --db ${dbPath}`,
      { columns },
    );
    const list = await session.screenShowing(/dlv_fine/);
    const broken = list.split('\n').find((l) => l.includes('dlv_broken'))!;
    const fine = list.split('\n').find((l) => l.includes('dlv_fine'))!;
    expect(broken).toMatch(/ ✓! +200 /);
    expect(fine).toMatch(/ ✓ +200 /);
    if (columns >= 120) expect(broken).toContain('schema ✗ 2 problems');
    for (const l of list.split('\n')) expect(l.length).toBeLessThanOrEqual(columns);

    await session.press('Enter'); // the newest row, selected first: the broken one
    const detail = await session.screenShowing(/Schema/);
    expect(detail).toContain('✗ 2 problems');
    expect(detail).toContain('data.cart_id: is required (required)');
    expect(detail).toContain('data.quantity: must be integer (type)');
  });
});
