/** `history` on a real terminal (tmux): the newest deliveries at once, then the live browser. */
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

describe.skipIf(skipWithout('tmux'))('history browser in a terminal', () => {
  it('shows the newest deliveries, moves, opens one, filters, and quits', async () => {
    server = await startRecordingServer((req) => ({
      status: req.headers['x-webhook-event'] === 'search.zero_results' ? 500 : 200,
    }));
    const configDir = tempDir();
    const db = join(configDir, 'history.db');
    await spawnCli(['trigger', '--all', '--to', server.url, '--secret', 's3cret', '--db', db], { configDir });

    session = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} NO_COLOR=1 ${process.execPath} ${BIN} history --db ${db}`,
    );
    const first = await session.screenShowing(/› .*dlv_/);
    expect(first).toMatch(/16 deliveries/);
    expect(first).toMatch(/500 +search\.zero_results/);
    const rowEvents = first
      .split('\n')
      .filter((l) => /dlv_/.test(l))
      .map((l) => /(\S+\.\S+)\s+dlv_/.exec(l)![1]!);
    expect(rowEvents).toHaveLength(16);

    // Pressed as soon as the first frame shows, perhaps before the browser has loaded: none is lost.
    await session.press('j');
    await session.press('j');
    const moved = await session.screenShowing(new RegExp(`› .*${rowEvents[2]!.replace(/\./g, '\\.')}`));
    expect(moved).toMatch(new RegExp(`› .*${rowEvents[2]!.replace(/\./g, '\\.')}`));
    await session.press('Enter');
    const detail = await session.screenShowing(/x-webhook-signature/);
    expect(detail).toContain(`"event": "${rowEvents[2]}"`);
    await session.press('Escape');
    await session.press('f');
    for (const key of 'status:500') await session.press(key);
    await session.press('Enter');
    const filtered = await session.screenShowing(/filter: status:500/);
    expect(filtered).toMatch(/1 delivery/);
    expect(filtered).not.toMatch(/analytics\./);
    await session.press('q');
    expect(await session.screenShowing(/^$/, 3000)).not.toMatch(/webhooks-cli history/);
  });

  it('history --limit 20 (as the first steps run it) lists the newest 20 and says so', async () => {
    server = await startRecordingServer();
    const configDir = tempDir();
    const db = join(configDir, 'history.db');
    await spawnCli(['trigger', '--all', '--to', server.url, '--secret', 's3cret', '--db', db], { configDir });
    await spawnCli(['trigger', '--all', '--to', server.url, '--secret', 's3cret', '--db', db], { configDir });

    session = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} NO_COLOR=1 ${process.execPath} ${BIN} history --db ${db} --limit 20`,
    );
    const first = await session.screenShowing(/20 deliveries \(--limit 20\)/);
    expect(first).toMatch(/20 deliveries \(--limit 20\)/);
    expect(first.split('\n').filter((l) => /dlv_/.test(l))).toHaveLength(20);
    await session.press('PageDown');
    await session.press('PageDown');
    const moved = await session.screenShowing(/20 deliveries[\s\S]*› /);
    expect(moved).toMatch(/20 deliveries \(--limit 20\)/);
    expect(moved.split('\n').filter((l) => /dlv_/.test(l))).toHaveLength(20);
  });
});
