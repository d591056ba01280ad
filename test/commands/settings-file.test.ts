/**
 * The stored settings file, read and written through conf: its format and modes, reads that create
 * nothing, and one line naming the file when it is damaged.
 */

import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the settings file', () => {
  it('is tab-indented JSON, owner-only, with profiles under "profiles"; every command reads it', async () => {
    const configDir = join(tempDir(), 'webhooks-cli');
    expect((await runCli(['config', 'set', 'secret', 'stored-secret'], { configDir })).code).toBe(0);
    expect(
      (await runCli(['config', 'set', 'secret', 'staging-secret', '--profile', 'staging'], { configDir })).code,
    ).toBe(0);
    const file = join(configDir, 'config.json');
    expect(readFileSync(file, 'utf8')).toBe(
      '{\n\t"secret": "stored-secret",\n\t"profiles": {\n\t\t"staging": {\n\t\t\t"secret": "staging-secret"\n\t\t}\n\t}\n}',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);

    server = await startRecordingServer();
    const sent = await runCli(
      ['--json', 'trigger', 'catalog.product.created', '--to', server.url, '--profile', 'staging'],
      {
        configDir,
      },
    );
    expect(sent.code, sent.stderr).toBe(0);
    const verified = await runCli(['verify', '--secret', 'staging-secret', '--signature', signatureOf(server, 0)], {
      configDir,
      stdin: server.requests[0]!.body,
    });
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('is not created by a command that only reads settings', async () => {
    const configDir = join(tempDir(), 'never-written');
    server = await startRecordingServer();
    const db = join(tempDir(), 'history.db');
    const sent = await runCli(['trigger', 'catalog.product.created', '--to', server.url, '--secret', 's', '--db', db], {
      configDir,
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect((await runCli(['config', 'list'], { configDir })).code).toBe(0);
    expect(existsSync(configDir)).toBe(false);
  });

  it.each([
    ['cut short', '{"secret": ', /is damaged: .*JSON/],
    ['not an object', '["secret"]', /is damaged: it holds JSON, but not an object of settings/],
  ])('%s: every command says so in one line naming the file and the fix', async (_case, content, reason) => {
    const configDir = tempDir();
    const file = join(configDir, 'config.json');
    writeFileSync(file, content, { mode: 0o600 });
    for (const args of [
      ['trigger', 'catalog.product.created', '--to', 'http://127.0.0.1:9/webhook', '--secret', 's'],
      ['config', 'list'],
      ['config', 'set', 'token', 'tok_x'],
    ]) {
      const run = await runCli(args, { configDir });
      expect(run.code).toBe(1);
      expect(run.stderr.split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(reason);
      expect(run.stderr).toContain(`the settings file ${file}`);
      expect(run.stderr).toContain('delete it and store the settings again with `webhooks-cli config set`');
    }
    // Nothing was written over it.
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});

function signatureOf(recording: RecordingServer, index: number): string {
  return String(recording.requests[index]!.headers['x-webhook-signature']);
}
