/** `history` on real terminals of several widths (tmux): the columns that matter, the filter line, the cursor on quit. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { skipWithout } from '../helpers/required-program.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

let session: TmuxSession | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  await session?.kill();
  await server?.close();
  session = server = undefined;
});

async function historyOf16() {
  server = await startRecordingServer((req) => ({
    status: req.headers['x-webhook-event'] === 'search.zero_results' ? 500 : 200,
  }));
  const configDir = tempDir();
  const db = join(configDir, 'history.db');
  await spawnCli(['trigger', '--all', '--to', server.url, '--secret', 's3cret', '--db', db], { configDir });
  // A shell stays after the browser, so the screen and the cursor can be read once it has quit.
  const command = `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} NO_COLOR=1 ${process.execPath} ${BIN} history --db ${db}; echo after-quit; sleep 60`;
  return { command, db, configDir };
}

describe.skipIf(skipWithout('tmux'))('history browser on narrow and wide terminals', () => {
  it.each([80, 120])('at %i columns keeps SIG, CODE and NOTE, and the reason for a 500 shows', async (columns) => {
    const { command } = await historyOf16();
    session = await startTmux(command, { columns, rows: 30 });
    const screen = await session.screenShowing(/› .*dlv_/);
    const header = screen.split('\n').find((l) => l.includes('CODE'))!;
    expect(header).toMatch(/SIG +CODE +EVENT.* NOTE/);
    expect(screen).toMatch(/500 +search\S*results .*answered 500/);
  });

  it('Ctrl-U then typing at once filters as typing alone does; quitting leaves the cursor below the browser', async () => {
    const { command, db, configDir } = await historyOf16();
    const expected = JSON.parse(
      (await spawnCli(['history', '--db', db, '--search', 'catalog', '--json'], { configDir })).stdout,
    ).length as number;
    expect(expected).toBeGreaterThan(0);
    session = await startTmux(command, { columns: 100, rows: 30 });
    await session.screenShowing(/› .*dlv_/);
    await session.press('f');
    await session.pressAtOnce(['C-u', 'catalog']);
    await session.press('Enter');
    // The list is read again just after the header shows the filter: wait for the new count.
    const filtered = await session.screenShowing(new RegExp(`history ${expected} deliver\\S* +filter: catalog`));
    expect(filtered).toMatch(new RegExp(`history ${expected} deliver`));
    const helpRow = filtered.split('\n').findIndex((l) => l.includes('q quit'));
    await session.press('q');
    const after = await session.screenShowing(/after-quit/);
    const lines = after.split('\n');
    const marker = lines.findIndex((l) => l.includes('after-quit'));
    expect(lines[marker]).toBe('after-quit');
    expect(marker).toBeGreaterThan(helpRow);
    const cursor = await session.cursor();
    expect(cursor.y).toBeGreaterThan(helpRow);
    expect(cursor.shown).toBe(true);
  });
});
