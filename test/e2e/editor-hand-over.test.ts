/**
 * `e` in both TUIs with a real vim in a real terminal: while the editor runs the TUI reads no key
 * and draws nothing (every key typed reaches vim), `listen` keeps answering and recording, and
 * afterwards the whole screen is the TUI again, its keys working. At 80 and 120 columns.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { listenUrlOnScreen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const SECRET = 's3cret';
let session: TmuxSession | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  await session?.kill();
  await server?.close();
  session = server = undefined;
});

/** vim's screen: the body on top, `~` on the empty lines below it. */
const VIM = /^~\s*$/m;

/** A shell line running the built CLI in a terminal with vim as the editor, then saying how it ended. */
function inTerminal(configDir: string, args: string, env = ''): string {
  return `env -u CI -u CONTINUOUS_INTEGRATION HOME=${configDir} EDITOR=vim.tiny VISUAL= WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 ${env} '${process.execPath}' '${BIN}' ${args}; echo "EXITED $?"; sleep 30`;
}

/** Types `keys` in vim and waits until vim has gone and `expected` shows. */
async function finishEditing(tmux: TmuxSession, keys: string, expected: RegExp): Promise<string> {
  await tmux.pressAtOnce([keys, 'Enter']);
  return tmux.screenShowing(expected);
}

/** The TUI is the whole screen again: its title on the first line, nothing of vim's left. */
function expectTuiAlone(screen: string, title: RegExp): void {
  expect(screen.split('\n')[0]).toMatch(title);
  expect(screen).not.toMatch(VIM);
  expect(screen).not.toMatch(/"catalog\.product\.created","timestamp"/);
}

/**
 * `e`, then `xxxxxx` and `:wq` (the body is no longer JSON, so vim opens again), then `:q!`; then
 * `e` and `:wq` unchanged, and `e` and `:q!`. `whileOpen` runs while vim shows the body.
 */
async function editorRounds(tmux: TmuxSession, title: RegExp, whileOpen: () => Promise<void>): Promise<void> {
  await tmux.press('e');
  const opened = await tmux.screenShowing(VIM);
  expect(opened).toMatch(/^\{"event":"catalog\.product\.created"/);
  expect(opened).not.toMatch(title);
  await tmux.pressAtOnce(['xxxxxx']);
  // All six reached vim: the first six characters of the body are gone, and none reached the TUI.
  expect(await tmux.screenShowing(/^t":"catalog/)).toMatch(/^t":"catalog\.product\.created"/);
  await whileOpen();
  expect(await tmux.screenShowing(/^t":"catalog/)).not.toMatch(title);
  await tmux.pressAtOnce([':wq', 'Enter']);
  // vim again on the broken body (no longer the `:wq` line of the first one).
  const reopened = await tmux.screenShowing(/^t":"catalog(?![\s\S]*:wq)/);
  expect(reopened).toMatch(VIM);
  expectTuiAlone(await finishEditing(tmux, ':q!', /still not valid JSON/), title);

  await tmux.press('e');
  await tmux.screenShowing(VIM);
  // vim adds a final newline on saving: still unchanged.
  expectTuiAlone(await finishEditing(tmux, ':wq', /the body was not changed/), title);
  await tmux.press('e');
  await tmux.screenShowing(VIM);
  expectTuiAlone(await finishEditing(tmux, ':q!', /the body was not changed/), title);
}

describe.skipIf(skipWithout('tmux') || skipWithout('vim.tiny', ['--version']))('e with vim, in a terminal', () => {
  for (const columns of [80, 120]) {
    it(`listen at ${columns} columns: keys go to vim, requests are still answered and listed, q quits after`, async () => {
      const configDir = tempDir();
      session = await startTmux(inTerminal(configDir, `listen --port 0 --secret ${SECRET}`), { columns, rows: 30 });
      const url = listenUrlOnScreen(await session.screenShowing(/waiting for webhooks/));
      const trigger = (event: string) =>
        spawnCli(['trigger', event, '--to', url, '--secret', SECRET, '--json'], { configDir: tempDir() });
      expect((await trigger('catalog.product.created')).exitCode).toBe(0);
      await session.screenShowing(/received 1 /);

      const title = /^webhooks-cli listen/;
      await editorRounds(session, title, async () => {
        // Answered while vim has the terminal, and listed once the screen is back.
        expect((await trigger('customer.cart.added')).exitCode).toBe(0);
      });
      const back = await session.screenShowing(/received 2 /);
      expect(back).toMatch(/received 2 +✓ 2/);
      expect(back).toMatch(/customer\.cart\.added/);

      await session.press('q');
      const ended = await session.screenShowing(/EXITED/);
      expect(ended).toMatch(/stopped: 2 requests received, all recorded/);
      expect(ended).toContain('EXITED 0');
    });

    it(`history at ${columns} columns: keys go to vim, an edited replay is sent, q quits with the database intact`, async () => {
      server = await startRecordingServer();
      const configDir = tempDir();
      const sent = await spawnCli(['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET], {
        configDir,
      });
      expect(sent.exitCode).toBe(0);
      session = await startTmux(inTerminal(configDir, 'history', `WEBHOOKS_SECRET=${SECRET}`), { columns, rows: 30 });
      await session.screenShowing(/› .*dlv_/);
      const title = /^webhooks-cli history/;
      await editorRounds(session, title, async () => {});
      // The aborted edits sent nothing.
      expect(server.requests).toHaveLength(1);

      await session.press('e');
      await session.screenShowing(VIM);
      // Insert a field before the closing brace: valid JSON, sent.
      await session.pressAtOnce(['$', 'i', ',"edited":true', 'Escape']);
      expectTuiAlone(await finishEditing(session, ':wq', /replayed an edited/), title);
      expect(server.requests).toHaveLength(2);
      expect(JSON.parse(server.requests[1]!.body.toString()) as object).toMatchObject({ edited: true });

      await session.press('q');
      const ended = await session.screenShowing(/EXITED/);
      expect(ended).toContain('EXITED 0');
      expect(ended).not.toMatch(/TypeError|database connection is not open/);
      const rows = JSON.parse(
        (await spawnCli(['history', '--json', '--db', join(configDir, 'history.db')], { configDir })).stdout,
      ) as Array<{ source: string }>;
      expect(rows.map((r) => r.source)).toEqual(['replay', 'trigger']);
    });
  }
});
