/**
 * How the two screens read in a real terminal (tmux) where they used to go wrong: a resize that
 * left a piece of the old frame, a forwarding target and a relay's retry time cut off, no sign of
 * rows below the list, no match count on history's filter line, a request answered in the first
 * moment after listen opened its port counted but never listed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { skipWithout } from '../helpers/required-program.js';
import { freePort, type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const SECRET = 's3cret';
const sessions: TmuxSession[] = [];
let server: RecordingServer | undefined;
let relay: RelayProcess | undefined;
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.kill();
  await server?.close();
  await relay?.stop();
  server = relay = undefined;
});

function run(configDir: string, args: string): string {
  return `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 '${process.execPath}' '${BIN}' ${args}; echo "EXITED $?"; sleep 30`;
}

async function terminal(command: string, columns: number, rows = 24): Promise<TmuxSession> {
  const session = await startTmux(command, { columns, rows });
  sessions.push(session);
  return session;
}

/** A history of `count` sent deliveries (two --all runs and more), in a fresh config folder. */
async function historyOf(runs: number): Promise<string> {
  server = await startRecordingServer((req) => ({
    status: req.headers['x-webhook-event'] === 'search.zero_results' ? 500 : 200,
  }));
  const configDir = tempDir();
  for (let i = 0; i < runs; i++)
    await spawnCli(['trigger', '--all', '--to', server.url, '--secret', SECRET], { configDir });
  return configDir;
}

const lines = (screen: string) => screen.split('\n');

describe.skipIf(skipWithout('tmux'))('the screens in a real terminal', () => {
  it('history: resized from 120 to 80 columns it reads as if started at 80; rows below are announced; the filter line counts', async () => {
    const configDir = await historyOf(2);
    const narrow = await terminal(run(configDir, 'history'), 80);
    const fresh = await narrow.screenShowing(/› .*dlv_/);
    const wide = await terminal(run(configDir, 'history'), 120);
    await wide.screenShowing(/› .*dlv_/);
    await wide.resize(80, 24);
    const exactly = new RegExp(`^${fresh.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const resized = await wide.screenShowing(exactly);
    expect(resized).toBe(fresh);
    expect(lines(resized).every((l) => [...l].length <= 80)).toBe(true);
    // 32 deliveries, 17 rows of list: the last line of the list says how many more there are.
    expect(fresh).toMatch(/^ {2}↓ 16 more below$/m);

    await narrow.press('f');
    for (const key of 'status:500') await narrow.press(key);
    await narrow.press('Enter');
    const filtered = await narrow.screenShowing(/filter: status:500/);
    expect(lines(filtered)[0]).toMatch(/filter: status:500 \(2 of 32\)/);
    expect(filtered).not.toMatch(/more below/);
  });

  it('listen at 80 columns: the forwarding target shortened in the middle; a request in the first moment is listed', async () => {
    const configDir = tempDir();
    const port = await freePort();
    const target = 'http://localhost:8000/api/v1/integrations/fashion-catalog/webhooks/incoming/catalog';
    const session = await terminal(
      run(configDir, `listen --port ${port} --secret ${SECRET} --forward-to ${target} --respond-status 200`),
      80,
    );
    // Sent the moment the port opens, before the live view has loaded.
    const body = '{"event":"customer.cart.added","timestamp":"2026-01-01T00:00:00Z","data":{}}';
    const deliver = () =>
      fetch(`http://127.0.0.1:${port}/webhook`, {
        method: 'POST',
        body,
        headers: {
          'x-webhook-event': 'customer.cart.added',
          'x-webhook-delivery': 'dlv_first_moment',
          'x-webhook-signature': sign(body, SECRET),
        },
      }).then(
        (answer) => answer.arrayBuffer(),
        () => undefined,
      );
    for (let i = 0; i < 200 && (await deliver()) === undefined; i++) await new Promise((r) => setTimeout(r, 10));

    const screen = await session.screenShowing(/customer\.cart\.added/);
    // No room beside the URL: a line of its own, the start and the end of the target showing.
    const forwarding = lines(screen).find((l) => l.startsWith('→ forwarding'))!;
    expect(forwarding).toMatch(/^→ forwarding to http:\/\/localhost:8000\S*…\S*\/incoming\/catalog$/);
    expect([...forwarding].length).toBe(80);
    expect(lines(screen)[0]).toMatch(/^webhooks-cli listen ● http:\/\/127\.0\.0\.1:\d+\/webhook {2}secrets s3\*+$/);
    expect(screen).toMatch(/received 1 /);
    expect(screen).toMatch(/customer\.cart\.added/);
    expect(screen).not.toMatch(/waiting for webhooks/);
  });

  it('listen --relay at 120 columns: a lost relay shows when the next try is, whatever the reason says', async () => {
    relay = await startRelayProcess();
    const configDir = tempDir();
    const session = await terminal(run(configDir, `listen --port 0 --secret ${SECRET} --relay ${relay.wsUrl}`), 120);
    await session.screenShowing(/relay connected/);
    await relay.stop('SIGKILL');
    relay = undefined;
    const screen = await session.screenShowing(/retrying in \d+(\.\d+)? s at \d\d:\d\d:\d\d/, 15_000);
    const line = lines(screen).find((l) => l.startsWith('relay reconnecting'))!;
    expect(line).toMatch(
      /^relay reconnecting http:\/\/127\.0\.0\.1:\d+\/ch_\S+ \(.+, retrying in [\d.]+ s at \d\d:\d\d:\d\d( \(\d+ tries failed\))?\)$/,
    );
    expect([...line].length).toBeLessThanOrEqual(120);
  });
});
