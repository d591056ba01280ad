/** `history` in-process: read-only commands create nothing, and `history show` finds rows by id or delivery id. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';

const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

describe('read-only commands and a mistyped --db', () => {
  it.each([[['history']], [['history', 'show', '1']], [['history', 'export']], [['history', '--json']]])(
    '%j says the database does not exist and creates nothing',
    async (args) => {
      const missing = join(tempDir(), 'no-such-folder', 'histroy.db');
      const r = await runCli([...args, '--db', missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no history database at ${missing}`);
      oneLine(r.stderr);
      expect(existsSync(join(missing, '..'))).toBe(false);
    },
  );
});

describe('history show', () => {
  it('aligns the path line of a received delivery with the others', async () => {
    const db = join(tempDir(), 'h.db');
    const store = HistoryStore.open(db);
    store.insert({
      direction: 'in',
      source: 'listen',
      createdAt: Date.now(),
      event: 'catalog.product.created',
      deliveryId: 'dlv_in',
      method: 'POST',
      url: '/webhook',
      remoteAddress: '127.0.0.1',
      requestHeaders: {},
      requestBody: Buffer.from('{}'),
      status: 200,
      responseHeaders: null,
      responseBody: null,
      durationMs: 1,
      error: null,
      signatureValid: true,
      signatureError: null,
      duplicate: false,
      replayOf: null,
    });
    store.close();
    const shown = await runCli(['history', 'show', 'dlv_in', '--db', db]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n').slice(0, 6);
    expect(lines[4]).toMatch(/^path {7}POST \/webhook/);
    expect(new Set(lines.map((l) => /^\S+ +/.exec(l)![0].length)).size).toBe(1);
  });
});
