/** `demo` without a terminal: all 16 events go through the engine to the listener, verified and recorded. */
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { runCli, tempDir } from '../helpers/cli.js';

describe('demo', () => {
  it('delivers every event type through the engine to the in-process listener, verified and recorded', async () => {
    const configDir = tempDir();
    const result = await runCli(['--json', 'demo'], { configDir, timeout: 30_000 });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; status: number; signature_valid: boolean; delivery_id: string });
    expect(lines.map((l) => l.event).sort()).toEqual([...EVENT_TYPES].sort());
    expect(lines.every((l) => l.status === 200 && l.signature_valid === true)).toBe(true);
    expect(result.stderr).toContain('16 of 16 events delivered by the engine and verified by the listener');

    const history = await runCli(['--json', 'history', '--direction', 'in'], { configDir });
    const recorded = (JSON.parse(history.stdout) as Array<{ delivery_id: string }>).map((r) => r.delivery_id);
    expect(new Set(recorded)).toEqual(new Set(lines.map((l) => l.delivery_id)));
  });
});
