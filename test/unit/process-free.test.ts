/**
 * The process belongs to the entry (src/bin.ts): below it, streams, environment and stop signals
 * come in through `main(argv, io)`, so every command, long-running ones included, runs in-process
 * in tests. Fails naming each file that reaches for the process itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const ENTRY = 'bin.ts';
const FORBIDDEN = /\bprocess\.(env|on|once|off|exit|stdout|stderr)\b/g;
/**
 * Still reading the environment itself, each with the reason it has not moved to the io yet:
 * the spool's fallback folder in the config directory is chosen where a history is opened, and
 * threading the run's environment through every opening of the history is a change of its own.
 */
const NOT_YET: Record<string, string> = {
  'store/delivery-spool.ts': 'the fallback spool folder (configDirectory)',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

describe('no process below the entry point', () => {
  it('src/ outside bin.ts names none of process.env, .on, .once, .off, .exit, .stdout, .stderr', () => {
    const found: string[] = [];
    for (const file of sources(SRC)) {
      const path = relative(SRC, file);
      if (path === ENTRY || path in NOT_YET) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        // A comment may name them (to say where they are handled); code may not.
        // …and so may a string (the doctor's fix for a Node receiver quotes its code).
        const code = line
          .replace(/\/\/.*$/, '')
          .replace(/^\s*\*.*$/, '')
          .replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, "''");
        for (const match of code.matchAll(FORBIDDEN)) found.push(`${path}:${index + 1} uses ${match[0]}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('what still reads the environment itself is only what is listed, and does', () => {
    for (const path of Object.keys(NOT_YET))
      expect(readFileSync(join(SRC, path), 'utf8')).toMatch(new RegExp(FORBIDDEN.source));
  });

  it('the entry itself wires them (the check would see them)', () => {
    expect(readFileSync(join(SRC, ENTRY), 'utf8').match(FORBIDDEN)).toEqual(
      expect.arrayContaining(['process.env', 'process.on', 'process.off', 'process.stdout', 'process.stderr']),
    );
  });
});
