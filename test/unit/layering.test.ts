/**
 * Arrows one way: commands → services and adapters → core, store, config. Reads the import
 * statements of every module under src/ and fails on an arrow the wrong way, naming the file
 * and what it imports, so the rule holds without anyone having to remember it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** Only the command layer (and the command table) may import from it. */
const COMMAND_LAYER = ['commands', 'cli', 'bin.ts'];
/** The foundations import nothing but each other and the error taxonomy at the root. */
const FOUNDATIONS = ['core', 'store', 'config'];
const ROOT_LEAVES = ['errors.ts', 'exit-codes.ts', 'package-files.ts', 'version.ts'];

/** Every module specifier in a source text: static imports and re-exports, `import()`, `require()`. */
export function importsOf(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

/** The top folder under src/ of a path relative to src/ (`core`), or the file name for a root module. */
function area(path: string): string {
  return path.split('/')[0]!;
}

const withoutExtension = (path: string) => path.replace(/\.c?[jt]sx?$/, '');

/** The wrong-way arrows among `modules` (path relative to src/ → source text). */
export function layeringViolations(modules: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [path, source] of modules) {
    const from = area(path);
    for (const specifier of importsOf(source)) {
      if (!specifier.startsWith('.')) continue; // node: built-ins and packages
      const target = posix.normalize(posix.join(posix.dirname(path), specifier));
      if (target.startsWith('..')) continue;
      const to = area(target);
      if (COMMAND_LAYER.includes(to) && !COMMAND_LAYER.includes(from))
        found.push(`${path} imports ${specifier}: only commands/ and cli/ may use the command layer`);
      const rootLeaf = ROOT_LEAVES.some((leaf) => withoutExtension(leaf) === withoutExtension(target));
      if (FOUNDATIONS.includes(from) && !FOUNDATIONS.includes(to) && !rootLeaf) {
        found.push(`${path} imports ${specifier}: core/, store/ and config/ import only each other`);
      }
    }
  }
  return found;
}

function sourceTree(root: string): Map<string, string> {
  const modules = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|tsx|cts)$/.test(entry.name))
        modules.set(relative(root, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return modules;
}

describe('layering', () => {
  it('src/ has no arrow the wrong way', () => {
    const modules = sourceTree(SRC);
    // The reader works: it sees the tree's hundreds of relative imports, not none.
    const relativeImports = [...modules.values()].flatMap(importsOf).filter((s) => s.startsWith('.'));
    expect(modules.size).toBeGreaterThan(100);
    expect(relativeImports.length).toBeGreaterThan(300);
    expect(layeringViolations(modules)).toEqual([]);
  });

  it('names each wrong-way import: a UI or service module using the command layer, a foundation using a service', () => {
    const modules = new Map([
      [
        'ui/listen/view.tsx',
        "import { formatDuration } from '../../cli/output.js';\nimport type { X } from '../../store/x.js';",
      ],
      ['api/changes.ts', "import {\n  requireEventType,\n} from '../commands/event-arguments.js';"],
      ['smoke/run.ts', "const { lazy } = await import('../cli/lazy.js');"],
      [
        'store/history.ts',
        "import { UserError } from '../errors.js';\nimport { redact } from '../core/redact.js';\nimport type { Listener } from '../receiver/index.js';",
      ],
      ['config/paths.ts', "import { homedir } from 'node:os';\nimport Conf from 'conf';"],
      [
        'commands/listen.ts',
        "import { logLine } from '../cli/output.js';\nimport { startListenSession } from '../receiver/listen-session.js';",
      ],
      ['cli/main.cts', "const m = require('../commands/trigger.js');"],
    ]);
    expect(layeringViolations(modules)).toEqual([
      'ui/listen/view.tsx imports ../../cli/output.js: only commands/ and cli/ may use the command layer',
      'api/changes.ts imports ../commands/event-arguments.js: only commands/ and cli/ may use the command layer',
      'smoke/run.ts imports ../cli/lazy.js: only commands/ and cli/ may use the command layer',
      'store/history.ts imports ../receiver/index.js: core/, store/ and config/ import only each other',
    ]);
  });
});
