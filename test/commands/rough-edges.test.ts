/** Input that used to be ignored or silently accepted is refused with one line; read-only commands create nothing. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { startRecordingServer, type RecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

describe('trigger refuses what it would ignore', () => {
  it('--all with an event name is a usage error, and nothing is sent', async () => {
    server = await startRecordingServer();
    const r = await runCli(['trigger', '--all', 'catalog.product.created', '--to', server.url, '--secret', 's']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--all sends every event type, so "catalog\.product\.created" would be ignored/);
    oneLine(r.stderr);
    expect(server.requests).toHaveLength(0);
  });

  it('--set with a value that looks like JSON and is not is refused, saying how to send a string', async () => {
    server = await startRecordingServer();
    const r = await runCli(['trigger', 'catalog.product.created', '--set', 'data.quantity={bad', '--to', server.url, '--secret', 's']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('{bad looks like JSON but does not parse');
    expect(r.stderr).toContain(`--set 'data.quantity="{bad"'`);
    expect(server.requests).toHaveLength(0);
    // The way it names works: the string is sent.
    const quoted = await runCli(['trigger', 'catalog.product.created', '--set', 'data.name="{bad"', '--to', server.url, '--secret', 's']);
    expect(quoted.code).toBe(0);
    expect(JSON.parse(server.requests[0]!.body.toString()).data.name).toBe('{bad');
  });

  it('--set event=foo suggests "trigger foo" only when foo is an event type', async () => {
    const unknown = await runCli(['trigger', 'catalog.product.created', '--set', 'event=foo', '--to', 'http://127.0.0.1:9/', '--secret', 's']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).not.toContain('trigger foo');
    expect(unknown.stderr).toContain('trigger the type you mean');
    const known = await runCli(['trigger', 'catalog.product.created', '--set', 'event=customer.cart.added', '--to', 'http://127.0.0.1:9/', '--secret', 's']);
    expect(known.stderr).toContain('trigger customer.cart.added instead');
  });
});

describe('read-only commands and a mistyped --db', () => {
  it.each([[['history']], [['history', 'show', '1']], [['history', 'export']], [['history', '--json']]])('%j says the database does not exist and creates nothing', async (args) => {
    const missing = join(tempDir(), 'no-such-folder', 'histroy.db');
    const r = await runCli([...args, '--db', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no history database at ${missing}`);
    oneLine(r.stderr);
    expect(existsSync(join(missing, '..'))).toBe(false);
  });
});

describe('history show', () => {
  it('aligns the path line of a received delivery with the others', async () => {
    const db = join(tempDir(), 'h.db');
    const store = HistoryStore.open(db);
    store.insert({
      direction: 'in', source: 'listen', createdAt: Date.now(), event: 'catalog.product.created', deliveryId: 'dlv_in', method: 'POST', url: '/webhook', remoteAddress: '127.0.0.1',
      requestHeaders: {}, requestBody: Buffer.from('{}'), status: 200, responseHeaders: null, responseBody: null, durationMs: 1, error: null, signatureValid: true, signatureError: null, duplicate: false, replayOf: null,
    });
    store.close();
    const shown = await runCli(['history', 'show', 'dlv_in', '--db', db]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n').slice(0, 6);
    expect(lines[4]).toMatch(/^path {7}POST \/webhook/);
    expect(new Set(lines.map((l) => /^\S+ +/.exec(l)![0].length)).size).toBe(1);
  });
});
