/**
 * A sender's control characters never reach the terminal: an unsigned body whose `event` carries
 * OSC title sequences (ESC ] 2 ; … BEL) and a CR, shown by listen (lines and TUI), the `history`
 * table, its browser and `history show`, in a real terminal (tmux), leaves the pane's title alone.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { listenUrlOnScreen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const sessions: TmuxSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.kill()));
});

// JSON escapes in the body text: the parsed `event` holds a real ESC, BEL and CR.
const HOSTILE_BODY =
  '{"event":"\\u001b]2;pwned-by-event\\u0007catalog.product.created\\r\\u001b]0;pwned-again\\u0007","data":{}}';

async function terminal(command: string, configDir: string): Promise<TmuxSession> {
  const session = await startTmux(
    `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 ${command}; echo "EXITED $?"; sleep 30`,
  );
  sessions.push(session);
  return session;
}

function post(url: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: HOSTILE_BODY,
    headers: { 'content-type': 'application/json', 'x-webhook-delivery': 'dlv_hostile\u009b2J' },
  });
}

describe.skipIf(skipWithout('tmux'))('received text on a real terminal', () => {
  it('listen, history, history show and both TUIs show escapes instead of obeying them', async () => {
    const configDir = tempDir();
    const db = join(configDir, 'history.db');
    const cli = `'${process.execPath}' '${BIN}'`;

    // The live view: the row, then its detail.
    const live = await terminal(`${cli} listen --port 0 --secret s3cret`, configDir);
    const title = await live.title();
    const url = listenUrlOnScreen(await live.screenShowing(/waiting for webhooks/));
    expect((await post(url)).status).toBe(401);
    const row = await live.screenShowing(/received 1 /);
    expect(await live.title()).toBe(title);
    // The event column cuts a long type in the middle: its head shows, escaped (the detail has all).
    expect(row).toContain('\\u001b]2;pwned-');
    expect(row).toContain('dlv_hostile\\u009b2J');
    await live.press('Enter');
    expect(await live.screenShowing(/Esc back/)).toContain('\\u001b]0;pwned-again\\u0007');
    expect(await live.title()).toBe(title);
    await live.press('q');
    await live.screenShowing(/EXITED/);

    // listen's plain lines.
    const lines = await terminal(`${cli} listen --port 0 --secret s3cret --no-tui`, configDir);
    const linesUrl = /listening on (http:\/\/\S+) /.exec(await lines.screenShowing(/listening on/))![1]!;
    expect((await post(linesUrl)).status).toBe(401);
    expect(await lines.screenShowing(/pwned-again/)).toContain('\\r\\u001b]0;pwned-again\\u0007');
    expect(await lines.title()).not.toMatch(/pwned/);

    // The history: its table through a pipe, `history show`, and the browser.
    const table = await terminal(`${cli} history --db ${db} | cat`, configDir);
    expect(await table.screenShowing(/EXITED 0/)).toContain('\\u001b]2;pwned-by-event');
    expect(await table.title()).not.toMatch(/pwned/);
    const id = JSON.parse((await spawnCli(['history', '--db', db, '--json', '--limit', '1'], { configDir })).stdout)[0]
      .id as number;
    const show = await terminal(`${cli} history show ${id} --db ${db}`, configDir);
    const page = await show.screenShowing(/EXITED 0/);
    expect(page).toContain('"event": "\\u001b]2;pwned-by-event\\u0007catalog.product.created\\r');
    expect(await show.title()).not.toMatch(/pwned/);
    const browser = await terminal(`${cli} history --db ${db}`, configDir);
    await browser.screenShowing(/› .*pwned/);
    await browser.press('Enter');
    await browser.screenShowing(/Esc back/);
    expect(await browser.title()).not.toMatch(/pwned/);
  });
});
