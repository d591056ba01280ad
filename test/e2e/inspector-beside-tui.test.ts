/**
 * The inspector beside listen's TUI: the terminal (tmux) and the browser (chromium) show the same
 * deliveries as they arrive, and a replay from the terminal's `r` reaches the page too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openBrowser, type TestBrowser } from '../helpers/browser.js';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { listenUrlOnScreen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';
import { until } from '../helpers/until.js';

let tmux: TmuxSession | undefined;
let browser: TestBrowser | undefined;
afterEach(async () => {
  await browser?.close();
  await tmux?.kill();
  tmux = undefined;
  browser = undefined;
});

describe.skipIf(skipWithout('tmux') || skipWithout('chromium', ['--version']))('the inspector beside the TUI', () => {
  it('shows the URL in the TUI’s header; both show every delivery, and a replay from the terminal reaches the page', async () => {
    const configDir = tempDir();
    tmux = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 '${process.execPath}' '${BIN}' listen --port 0 --secret s3cret --inspect 127.0.0.1:0; sleep 20`,
      { columns: 160 },
    );
    const screen = await tmux.screenShowing(/inspector http:\/\/\S+token=[\w-]{32}/);
    const url = listenUrlOnScreen(screen);
    const inspectorUrl = /inspector (http:\/\/\S+token=[\w-]{32})/.exec(screen)![1]!;

    browser = await openBrowser();
    const { page } = browser;
    await page.goto(inspectorUrl);
    await page.getByText('No deliveries yet.').waitFor();

    const sent = await spawnCli(['trigger', '--all', '--to', url, '--secret', 's3cret'], { configDir });
    expect(sent.exitCode).toBe(0);
    expect(await tmux.screenShowing(/received 16 /)).toMatch(/received 16 +✓ 16/);
    // Received rows; trigger's own records of what it sent join them as listen imports its spool.
    const received = async () =>
      (await page.locator('tr.row .c-dir').allTextContents()).filter((d) => d === 'in').length;
    await until(async () => (await received()) === 16, 10_000, '16 received rows on the page');

    await tmux.press('r');
    expect(await tmux.screenShowing(/replayed dlv_\w+ as dlv_\w+ to http:\/\/\S+ → 200/)).toMatch(
      /replayed dlv_\w+ as (dlv_\w+) to http:\/\/\S+ → 200/,
    );
    // The replay (sent) and its arrival (received) reach the page as well.
    await until(async () => (await received()) === 17, 10_000, 'the replay received, on the page');
    expect(await page.locator('tr.row .c-notes').allTextContents()).toContainEqual(
      expect.stringMatching(/^replay of dlv_/),
    );
    expect(browser.errors).toEqual([]);
  });
});
