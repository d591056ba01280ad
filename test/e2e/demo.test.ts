/** `demo`: all 16 events go through the engine to the in-process listener, verified and recorded. */
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { skipWithout } from '../helpers/required-program.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const sessions: TmuxSession[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) await session.kill();
});

describe('demo', () => {
  it('delivers every event type through the engine to the in-process listener, verified and recorded', async () => {
    const configDir = tempDir();
    const result = await spawnCli(['--json', 'demo'], { configDir, timeout: 30_000 });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; status: number; signature_valid: boolean; delivery_id: string });
    expect(lines.map((l) => l.event).sort()).toEqual([...EVENT_TYPES].sort());
    expect(lines.every((l) => l.status === 200 && l.signature_valid === true)).toBe(true);
    expect(result.stderr).toContain('16 of 16 events delivered by the engine and verified by the listener');

    const history = await spawnCli(['--json', 'history', '--direction', 'in'], { configDir });
    const recorded = (JSON.parse(history.stdout) as Array<{ delivery_id: string }>).map((r) => r.delivery_id);
    expect(new Set(recorded)).toEqual(new Set(lines.map((l) => l.delivery_id)));
  });

  it.skipIf(skipWithout('tmux'))(
    'shows the live view of the listener in a real terminal, all 16 verified, and quits with q',
    async () => {
      const configDir = tempDir();
      // CI detection would turn the TUI off: the pane is a real terminal, so clear it.
      const session = await startTmux(
        `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= NO_COLOR=1 '${process.execPath}' '${BIN}' demo; echo "EXITED $?"; sleep 20`,
      );
      sessions.push(session);
      const text = await session.screenShowing(/received 16 /, 15_000);
      expect(text).toMatch(/received 16 +✓ 16 +✗ 0/);
      expect(text).toMatch(/webhook wh_[0-9a-f]{16}/);
      expect(text.split('\n').filter((l) => /✓ +200 +[a-z_.]+ +dlv_[0-9a-f]{24}/.test(l))).toHaveLength(16);
      await session.press('q');
      expect(await session.screenShowing(/EXITED/)).toContain('EXITED 0');
    },
  );
});
