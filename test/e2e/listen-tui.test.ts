/**
 * The real `listen` TUI in a real terminal (tmux): what a person sees and the keys they press.
 * .ci/run installs tmux where it is missing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { listenUrlOnScreen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

let tmux: TmuxSession | undefined;
afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
});

describe.skipIf(skipWithout('tmux'))('listen in a real terminal', () => {
  it('shows deliveries live with ✓, opens one with Enter, replays it with r, quits with q', async () => {
    const configDir = tempDir();
    // CI detection would turn the TUI off: the pane is a real terminal, so clear it.
    tmux = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 '${process.execPath}' '${BIN}' listen --port 0 --secret s3cret; echo "EXITED $?"; sleep 20`,
    );
    const session = tmux;
    const url = listenUrlOnScreen(await session.screenShowing(/waiting for webhooks/));

    const sent = await spawnCli(['trigger', '--all', '--to', url, '--secret', 's3cret'], { configDir });
    expect(sent.exitCode).toBe(0);
    let text = await session.screenShowing(/received 16 /);
    expect(text).toMatch(/received 16 +✓ 16 +✗ 0/);
    expect(text.split('\n').filter((l) => /✓ +200 +[a-z_.]+ +dlv_[0-9a-f]{24}/.test(l))).toHaveLength(16);
    expect(text).toContain('↑/↓ j/k move · Enter details · r replay · e edit+replay · f filter · q quit');

    await session.press('k');
    await session.press('Enter');
    text = await session.screenShowing(/Esc back/);
    expect(text).toContain('✓ valid (secret #1 of 1)');
    expect(text).toContain('Request headers');
    expect(text).toMatch(/x-webhook-signature: sha256=[0-9a-f]{64}/);

    await session.press('r');
    text = await session.screenShowing(/replayed dlv_\w+ as dlv_\w+ to http:\/\/127\.0\.0\.1:\d+\/webhook → 200/);
    expect(text).toMatch(/replayed dlv_\w+ as dlv_\w+ to http:\/\/127\.0\.0\.1:\d+\/webhook → 200/);
    await session.press('Escape');
    text = await session.screenShowing(/received 17 /);
    expect(text).toMatch(/received 17 +✓ 17/);

    await session.press('q');
    text = await session.screenShowing(/EXITED/);
    expect(text).toContain('stopped: 17 requests received, all recorded');
    expect(text).toContain('EXITED 0');

    const history = await spawnCli(['history', '--json', '--limit', '100'], { configDir });
    const rows = JSON.parse(history.stdout) as Array<{ direction: string; source: string; replay_of: string | null }>;
    expect(rows.filter((r) => r.direction === 'in')).toHaveLength(17);
    expect(rows.filter((r) => r.source === 'replay' && r.replay_of)).toHaveLength(1);
  });

  it('edits the filter in place with the cursor after the text, shows it in the header, and clears a replay result at the next key', async () => {
    const configDir = tempDir();
    tmux = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= '${process.execPath}' '${BIN}' listen --port 0 --secret s3cret; sleep 20`,
    );
    const url = listenUrlOnScreen(await tmux.screenShowing(/waiting for webhooks/));
    expect((await spawnCli(['trigger', '--all', '--to', url, '--secret', 's3cret'], { configDir })).exitCode).toBe(0);
    expect(
      (await spawnCli(['trigger', 'customer.cart.added', '--to', url, '--secret', 'wrong'], { configDir })).exitCode,
    ).toBe(1);
    await tmux.screenShowing(/received 17 /);

    const filterRow = async () => {
      const lines = (await tmux!.screenShowing(/^filter:/m)).split('\n');
      return {
        index: lines.findIndex((l) => l.startsWith('filter:')),
        line: lines.find((l) => l.startsWith('filter:'))!,
      };
    };
    for (const key of ['f', ...'invalid']) await tmux.press(key);
    let row = await filterRow();
    expect(row.line).toBe('filter: invalid');
    // The terminal's cursor stands after the text; no glyph covers a letter.
    expect(await tmux.cursor()).toEqual({ x: 'filter: invalid'.length, y: row.index, shown: true });
    await tmux.press('Enter');
    let text = await tmux.screenShowing(/filter: invalid \(1 of 17\)/);
    expect(text).toMatch(/received 17 .*filter: invalid \(1 of 17\)/);
    expect(text.split('\n').filter((l) => /dlv_/.test(l))).toHaveLength(1);
    expect((await tmux.cursor()).shown).toBe(false);

    // Reopened, the filter is offered selected: typing replaces it.
    await tmux.press('f');
    expect((await filterRow()).line).toBe('filter: invalid  typing replaces it · → keeps it');
    for (const key of 'status:200') await tmux.press(key);
    row = await filterRow();
    expect(row.line).toBe('filter: status:200');
    expect(await tmux.cursor()).toEqual({ x: 'filter: status:200'.length, y: row.index, shown: true });
    await tmux.press('BSpace');
    await tmux.press('C-u');
    expect((await filterRow()).line).toBe('filter:');
    for (const key of 'valid') await tmux.press(key);
    await tmux.press('Enter');
    text = await tmux.screenShowing(/filter: valid \(16 of 17\)/);
    expect(text).toMatch(/filter: valid \(16 of 17\)/);

    await tmux.press('r');
    text = await tmux.screenShowing(/✓ replayed dlv_\w+ as dlv_\w+ to http:\/\/127\.0\.0\.1:\d+\/webhook → 200/);
    expect(text).toMatch(/✓ replayed/);
    await tmux.press('k');
    text = await tmux.screenShowing(/^(?![\s\S]*replayed)/);
    expect(text).not.toContain('replayed');
  });
});
