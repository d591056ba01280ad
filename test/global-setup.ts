/**
 * One temporary root for the whole run: every test folder (and anything the spawned CLI writes to
 * the temp dir) goes below it, and it is removed at the end, even when a worker was killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'wc-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
