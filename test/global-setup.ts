/**
 * Once per run: builds the bundle the end-to-end tests spawn (dist/, as `npm run build` makes it),
 * so they never run an old build; and one temporary root for the whole run: every test folder
 * (and anything the spawned CLI writes to the temp dir) goes below it, and it is removed at the
 * end, even when a worker was killed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): () => void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.js', import.meta.url))], {
    stdio: 'inherit',
  });
  const root = mkdtempSync(join(tmpdir(), 'wc-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
