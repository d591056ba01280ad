/**
 * The relay's log under a flood of what others control: 20,000 malformed frames from a listener,
 * a stranger's requests to hundreds of channels with nobody on them, refused connections. Each
 * kind is logged once a window and then counted, and a closing line says how many were left out,
 * so every occurrence is accounted for in a handful of lines.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RelayOptions } from '../../src/relay/relay-options.js';
import { RelayServer } from '../../src/relay/relay-server.js';
import { connectRawListener } from '../helpers/raw-tunnel-listener.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Line {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

async function startRelay(options: Partial<RelayOptions> = {}) {
  const lines: Line[] = [];
  const relay = await RelayServer.start({
    host: '127.0.0.1',
    port: 0,
    repeatedWarningWindowMs: 1_000,
    log: (level, message, fields) => lines.push({ level, message, fields }),
    ...options,
  });
  cleanups.push(() => relay.close());
  return { relay, lines };
}

/** Occurrences accounted for by the lines matching `pattern`: one per line logged, and those each summary counts. */
function accountedFor(lines: Line[], pattern: RegExp): { lines: number; occurrences: number } {
  const matching = lines.filter((l) => pattern.test(l.message));
  const occurrences = matching.reduce((sum, l) => sum + Number(l.fields?.suppressed ?? 1), 0);
  return { lines: matching.length, occurrences };
}

describe("the relay's log under a flood", () => {
  it('logs 20,000 malformed frames from a listener in a few lines, counting every one', async () => {
    const { relay, lines } = await startRelay();
    const flood = 20_000;
    const listener = await connectRawListener(relay.url.replace('http', 'ws'), () => {
      for (let i = 0; i < flood; i++) listener.ws.send(Buffer.from([7, 1, 2]));
      return { status: 200, headers: {}, body: Buffer.from('after the flood') };
    });
    cleanups.push(() => listener.close());
    // The answer comes after the flood on the same socket: once it is here, every frame was read.
    const answer = await fetch(listener.publicUrl, { method: 'POST', body: '{}' });
    expect(await answer.text()).toBe('after the flood');

    const malformed = /malformed frame ignored: frame of 3 bytes is shorter than its 5-byte prefix/;
    await until(() => accountedFor(lines, malformed).occurrences === flood, 10_000, 'every frame counted');
    // Two lines a window (1 s here) at most, whatever the machine's speed: a handful, not thousands.
    expect(accountedFor(lines, malformed).lines).toBeLessThanOrEqual(20);
    expect(lines.find((l) => l.fields?.suppressed !== undefined)?.message).toMatch(
      new RegExp(
        `^\\d+ more of this kind in the last 1 s not logged: channel ${listener.channel}: malformed frame ignored: frame of 3 bytes`,
      ),
    );
    expect(lines.length).toBeLessThan(30);
  });

  it("logs a stranger's requests to 300 channels with no listener in a bounded number of lines", async () => {
    // A window longer than the test, so however slow the machine the count is exact; closing ends it.
    const { relay, lines } = await startRelay({ repeatedWarningWindowMs: 600_000 });
    const channels = Array.from({ length: 300 }, () => `ch_${randomBytes(16).toString('base64url').slice(0, 22)}`);
    const answers = await Promise.all(
      channels.map((channel) => fetch(`${relay.url}/${channel}`, { method: 'POST', body: '{}' })),
    );
    expect(answers.every((a) => a.status === 503)).toBe(true);
    await relay.close();
    const noListener = /no listener is connected to this channel|more warnings of other kinds/;
    expect(accountedFor(lines, noListener)).toEqual({ lines: 102, occurrences: 300 });
    expect(lines.at(-1)?.message).toBe(
      '199 more warnings of other kinds in the last 600 s not logged (too many kinds at once)',
    );
  });

  it('logs refused connections once a window', async () => {
    const { relay, lines } = await startRelay({ repeatedWarningWindowMs: 600_000 });
    const refused = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<number>((resolve) => {
            const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/connect?channel=ch_${'A'.repeat(22)}`);
            ws.on('error', () => {});
            ws.on('unexpected-response', (_req, res) => {
              resolve(res.statusCode!);
              ws.terminate();
            });
          }),
      ),
    );
    expect(refused.every((status) => status === 401)).toBe(true);
    await relay.close();
    expect(accountedFor(lines, /no token/)).toEqual({ lines: 2, occurrences: 50 });
  });
});
