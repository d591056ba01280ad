/**
 * A source module bundled for a child process (`node -e "await import(url)"`): the tests run the
 * TypeScript sources, which Node alone cannot load, so this bundles one module and its imports
 * into a file under node_modules/.cache (where the packages it leaves out resolve as usual) and
 * returns its URL.
 */

import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `source` is a path from the repository root, e.g. `src/store/history-store.ts`. */
export async function moduleForChild(source: string): Promise<string> {
  const outfile = `${ROOT}node_modules/.cache/webhooks-cli-tests/${randomUUID()}.mjs`;
  await build({
    absWorkingDir: ROOT,
    entryPoints: [source],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'warning',
  });
  return pathToFileURL(outfile).href;
}
