/**
 * `smoke` on a real terminal (tmux): the grouped human summary instead of one line per check,
 * with progress on stderr cleared before the summary.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExampleReceiver, startExampleReceiver } from '../fixture-apps/webhook-receiver.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { skipWithout } from '../helpers/required-program.js';

const socket = `webhooks-cli-smoke-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

let receiver: ExampleReceiver | undefined;
afterEach(async () => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  await receiver?.close();
});

describe.skipIf(skipWithout('tmux'))('smoke on a terminal', () => {
  it('prints the grouped summary', async () => {
    receiver = await startExampleReceiver('s3cret');
    const dir = tempDir();
    const done = join(dir, 'exit-code');
    const command = [
      `env -u CI -u CONTINUOUS_INTEGRATION NO_COLOR=1 WEBHOOKS_CONFIG_DIR='${dir}' WEBHOOKS_DB='${join(dir, 'history.db')}'`,
      `'${process.execPath}' '${BIN}' smoke --url ${receiver.url} --secret s3cret --events catalog.product.created,customer.cart.added;`,
      `echo $? > '${done}'; sleep 30`,
    ].join(' ');
    tmux('new-session', '-d', '-x', '120', '-y', '40', command);
    const deadline = Date.now() + 15_000;
    while (!existsSync(done) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

    expect(readFileSync(done, 'utf8').trim()).toBe('0');
    const screen = tmux('capture-pane', '-p')
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean);
    expect(screen[0]).toBe(`Smoke run against ${receiver.url}`);
    expect(screen).toContain('delivery');
    expect(screen).toContain('signature');
    expect(screen.some((l) => /^ {2}✓ customer\.cart\.added +200 +\S+ ms$/.test(l))).toBe(true);
    expect(screen.some((l) => l.startsWith('  ✓ a wrong signature is rejected with 4xx') && l.includes('401'))).toBe(
      true,
    );
    expect(screen).toContain('raw-body');
    expect(
      screen.some((l) => l.startsWith('  ✓ the payload pretty-printed is answered 2xx') && l.includes('200')),
    ).toBe(true);
    expect(screen.at(-1)).toMatch(/^✓ smoke: all checks passed \(15 passed, 0 failed in .+\)/);
    // No plain PASS lines, no progress left behind.
    expect(screen.some((l) => l.startsWith('PASS') || l.includes('…'))).toBe(false);
  });
});
