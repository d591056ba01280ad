/**
 * An install whose better-sqlite3 has no usable native module (`npm install --ignore-scripts`, a
 * Node.js upgrade since it was built): a copy of the built CLI beside a copy of better-sqlite3
 * with its build removed, or replaced by a file that is not a library, so the load really fails.
 * `listen` and `history` end with one line naming what is missing and `npm rebuild better-sqlite3`.
 */
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, tempDir } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built CLI in a folder of its own, its node_modules the tree's except for a broken better-sqlite3. */
function installWithBrokenSqlite(breakIt: (buildFolder: string) => void): { bin: string; root: string } {
  const root = tempDir('webhooks-cli-install-');
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  for (const file of ['package.json', 'fixtures', 'schemas']) symlinkSync(join(ROOT, file), join(root, file));
  mkdirSync(join(root, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules')))
    if (name !== 'better-sqlite3') symlinkSync(join(ROOT, 'node_modules', name), join(root, 'node_modules', name));
  // Its JavaScript only: the native module is what each case leaves missing or broken.
  const sqlite = join(root, 'node_modules', 'better-sqlite3');
  for (const part of ['package.json', 'lib'])
    cpSync(join(ROOT, 'node_modules', 'better-sqlite3', part), join(sqlite, part), { recursive: true });
  breakIt(join(sqlite, 'build'));
  return { bin: join(root, 'dist', 'webhooks-cli.cjs'), root };
}

async function run(bin: string, args: string[], configDir: string) {
  return execa(process.execPath, [bin, ...args], {
    reject: false,
    env: isolatedEnv(configDir),
    extendEnv: true,
    timeout: 20_000,
  });
}

const cases: Array<[string, (build: string) => void, RegExp]> = [
  [
    'no native module at all (installed with --ignore-scripts)',
    () => {},
    /^error: the SQLite module better-sqlite3 has no native module built for this Node\.js \(v[\d.]+\) — run `npm rebuild better-sqlite3` in (\S+) to build it/,
  ],
  [
    'a native module that does not load (another platform, a broken build)',
    (build) => {
      mkdirSync(join(build, 'Release'), { recursive: true });
      writeFileSync(join(build, 'Release', 'better_sqlite3.node'), 'not a shared library');
    },
    /^error: the SQLite module better-sqlite3 has a native module that cannot be loaded \(.+\) — run `npm rebuild better-sqlite3` in (\S+) to build it/,
  ],
];

describe('better-sqlite3 without a usable native module', () => {
  for (const [name, breakIt, line] of cases) {
    it(`${name}: listen and history say so in one line, naming npm rebuild and where`, async () => {
      const { bin, root } = installWithBrokenSqlite(breakIt);
      const configDir = tempDir();
      // A history file that exists, so `history` gets as far as opening it.
      writeFileSync(join(configDir, 'history.db'), '');

      for (const args of [['listen', '--port', '0', '--secret', 's', '--no-tui'], ['history']]) {
        const result = await run(bin, args, configDir);
        expect(result.exitCode).toBe(1);
        expect(result.stderr.split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(line);
        expect(line.exec(result.stderr)![1]).toBe(root);
        expect(result.stderr).not.toMatch(/pass --db|Could not locate|\n/);
      }
      // The intact build in the tree still opens the same history.
      expect((await run(BIN, ['history', '--json'], configDir)).exitCode).toBe(0);
    });
  }
});
