/** smoke's terminal summary wraps a long failure reason at word boundaries, to the terminal's width. */
import { afterEach, describe, expect, it } from 'vitest';
import { wrapWords } from '../../src/format/columns.js';
import { palette } from '../../src/format/display.js';
import { humanSummary } from '../../src/smoke/smoke-report.js';
import { runSmoke } from '../../src/smoke/smoke-run.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('smoke summary on a terminal', () => {
  it('wraps words, never inside one', () => {
    expect(wrapWords('the receiver accepted a request whose signature is wrong', 30, '  ')).toEqual([
      '  the receiver accepted a',
      '  request whose signature is',
      '  wrong',
    ]);
    expect(wrapWords('short', 30)).toEqual(['short']);
  });

  it.each([60, 100])(
    'keeps the failure reasons within %i columns against a catch-all 200 receiver',
    async (columns) => {
      // Accepts everything, so the signature checks fail with their (long) reasons.
      server = await startRecordingServer(() => ({ status: 200, body: 'OK' }));
      const report = await runSmoke({
        url: server.url,
        secret: 's3cret',
        events: ['catalog.product.created'],
        timeoutMs: 5000,
        userAgent: 'test',
      });
      const lines = humanSummary(report, palette(false), columns).split('\n');
      const reasons = lines.filter((l) => l.startsWith('      '));
      expect(reasons.filter((l) => l.length > columns)).toEqual([]);
      expect(reasons.length).toBeGreaterThan(2);
      // Each wrapped line ends at a word's end: joined again with spaces, the reasons are intact.
      const original = report.checks
        .filter((c) => !c.passed)
        .map((c) => c.reason)
        .join(' ');
      expect(reasons.map((l) => l.trim()).join(' ')).toBe(original.replace(/ +/g, ' '));
    },
  );
});
