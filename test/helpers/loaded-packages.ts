/**
 * Which packages a run of the built binary loads: the files of the bundle it loaded (traced by
 * trace-modules.js), mapped through esbuild's metafile (dist/meta.json) to the packages bundled
 * in them, plus any package loaded from node_modules directly (better-sqlite3).
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BIN, isolatedEnv, tempDir } from './cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TRACER = fileURLToPath(new URL('./trace-modules.js', import.meta.url));

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

function packageOf(path: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
}

/** The packages bundled in each output file of dist/, by its path from the package root. */
function packagesByOutput(): Map<string, Set<string>> {
  const meta = JSON.parse(readFileSync(new URL('../../dist/meta.json', import.meta.url), 'utf8')) as Metafile;
  const byOutput = new Map<string, Set<string>>();
  for (const [output, { inputs }] of Object.entries(meta.outputs)) {
    byOutput.set(
      output,
      new Set(
        Object.keys(inputs)
          .map(packageOf)
          .filter((name): name is string => name !== undefined),
      ),
    );
  }
  return byOutput;
}

/** The source modules (`src/inspector/inspector-server.ts`) in the bundle's files a traced run loaded. */
export function sourcesInTrace(stderr: string): string[] {
  const meta = JSON.parse(readFileSync(new URL('../../dist/meta.json', import.meta.url), 'utf8')) as Metafile;
  const sources = new Set<string>();
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('loaded-file: ')) continue;
    const path = fileURLToPath(line.slice('loaded-file: '.length));
    if (!path.startsWith(ROOT)) continue;
    for (const input of Object.keys(meta.outputs[path.slice(ROOT.length)]?.inputs ?? {}))
      if (input.startsWith('src/')) sources.add(input);
  }
  return [...sources].sort();
}

/** The packages and source modules `webhooks-cli ...args` loads. */
export async function modulesLoaded(args: string[], env: Record<string, string> = {}) {
  const result = await execa(process.execPath, [...TRACED_BIN, ...args], {
    reject: false,
    env: isolatedEnv(tempDir(), env),
  });
  return { packages: packagesInTrace(result.stderr), sources: sourcesInTrace(result.stderr) };
}

/** What every command loads: the command table's parser (extra-typings adds only types to commander). */
export const COMMAND_TABLE = ['@commander-js/extra-typings', 'commander'];

/** Node's arguments that run the binary traced: `execa(process.execPath, [...TRACED_BIN, ...args])`. */
export const TRACED_BIN = ['--import', TRACER, BIN];

/** The packages `webhooks-cli ...args` loads, sorted. */
export async function packagesLoaded(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const result = await execa(process.execPath, [...TRACED_BIN, ...args], {
    reject: false,
    env: isolatedEnv(tempDir(), env),
  });
  return packagesInTrace(result.stderr);
}

/** The packages named by the trace lines in a traced run's standard error, sorted. */
export function packagesInTrace(stderr: string): string[] {
  const bundled = packagesByOutput();
  const packages = new Set<string>();
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('loaded-file: ')) continue;
    const path = fileURLToPath(line.slice('loaded-file: '.length));
    if (!path.startsWith(ROOT)) continue;
    const relative = path.slice(ROOT.length);
    const direct = relative.startsWith('dist/') ? undefined : packageOf(relative);
    if (direct) packages.add(direct);
    for (const name of bundled.get(relative) ?? []) packages.add(name);
  }
  return [...packages].sort();
}
