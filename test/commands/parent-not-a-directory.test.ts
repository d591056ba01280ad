/**
 * A path below a file (`--db /tmp/x/file/history.db`, where `file` is a file): every command says
 * "a parent is not a directory" in one line, as trigger does, never node's `EEXIST … mkdir`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';

function fileInTheWay(): string {
  const file = join(tempDir(), 'file');
  writeFileSync(file, 'not a folder');
  return file;
}

describe('a parent that is a file', () => {
  const file = fileInTheWay();
  const db = join(file, 'history.db');
  const cases: Array<[string, string[], RegExp]> = [
    ['listen --db', ['listen', '--port', '0', '--secret', 's', '--db', db], /^error: cannot open the history database/],
    ['replay --db', ['replay', 'dlv_x', '--secret', 's', '--db', db], /^error: cannot open the history database/],
    [
      'smoke --junit',
      ['smoke', '--url', 'http://127.0.0.1:9/webhook', '--secret', 's', '--junit', join(file, 'r', 'report.xml')],
      /^error: cannot write the JUnit report in/,
    ],
    [
      'trigger --db',
      ['trigger', 'catalog.product.created', '--secret', 's', '--db', db],
      /^error: cannot write the history/,
    ],
  ];
  for (const [name, argv, start] of cases) {
    it(`${name} says a parent is not a directory`, async () => {
      const result = await runCli(argv);
      expect(result.stderr).toMatch(start);
      expect(result.stderr).toMatch(/: a parent is not a directory — /);
      expect(result.stderr).not.toMatch(/EEXIST|mkdir/);
      expect(result.stderr.split('\n')).toHaveLength(1);
      expect(result.code).not.toBe(0);
    });
  }

  it('config in a folder below a file says so too', async () => {
    const result = await runCli(['config', 'set', 'secret', 's'], { env: { WEBHOOKS_CONFIG_DIR: join(file, 'cfg') } });
    expect(result.stderr).toMatch(/^error: cannot open the config in .*: a parent is not a directory — /);
  });

  it('history export --fixtures below a file says so too', async () => {
    const configDir = tempDir();
    await runCli(['trigger', 'catalog.product.created', '--to', 'http://127.0.0.1:9/webhook', '--secret', 's'], {
      configDir,
    });
    const result = await runCli(['history', 'export', '--fixtures', join(file, 'fixtures')], { configDir });
    expect(result.stderr).toMatch(/a parent is not a directory/);
    expect(result.stderr).not.toMatch(/EEXIST/);
  });
});
