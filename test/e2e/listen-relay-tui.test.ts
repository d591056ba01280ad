/** `listen --relay` in a real terminal (tmux): the header follows the tunnel's state. */

import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';

const sessions: string[] = [];
const relays: RelayProcess[] = [];
afterEach(async () => {
  for (const name of sessions.splice(0)) await execa('tmux', ['kill-session', '-t', name], { reject: false });
  for (const relay of relays.splice(0)) await relay.stop();
});

async function screenShowing(session: string, expected: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await execa('tmux', ['capture-pane', '-p', '-t', session])).stdout;
    if (expected.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return text;
}

describe('listen --relay in a real terminal', () => {
  it('shows the public URL, receives through it, and shows a lost relay', async () => {
    const relay = await startRelayProcess();
    relays.push(relay);
    const configDir = tempDir();
    const session = `webhooks-cli-relay-${process.pid}-${randomBytes(3).toString('hex')}`;
    sessions.push(session);
    const command = `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 '${process.execPath}' '${BIN}' listen --port 0 --secret s3cret --relay ${relay.wsUrl}; echo "EXITED $?"; sleep 20`;
    await execa('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '30', command]);

    let text = await screenShowing(session, /relay connected http:\/\/\S+\/ch_/);
    const publicUrl = /relay connected (http:\/\/\S+\/ch_[A-Za-z0-9_-]{22})/.exec(text)?.[1];
    expect(publicUrl).toBeDefined();

    const sent = await spawnCli(['trigger', 'customer.cart.added', '--to', publicUrl!, '--secret', 's3cret'], {
      configDir,
    });
    expect(sent.exitCode).toBe(0);
    text = await screenShowing(session, /received 1 /);
    expect(text).toMatch(/received 1 +✓ 1/);
    expect(text).toMatch(/✓ +200 +customer\.cart\.added/);

    await relay.stop('SIGKILL');
    text = await screenShowing(session, /relay reconnecting/);
    expect(text).toContain(`relay reconnecting ${publicUrl}`);

    await execa('tmux', ['send-keys', '-t', session, 'q']);
    text = await screenShowing(session, /EXITED/);
    expect(text).toContain('EXITED 0');
  });
});
