/**
 * A small RAM disk (tmpfs) for tests of a full disk: mounting needs root (or CAP_SYS_ADMIN).
 * Where that is not allowed the tests skip with a notice, except under CI=true, where they fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let allowed: boolean | undefined;

/** True when the tests needing a tmpfs should be skipped (mounting is not permitted here and this is not CI). */
export function skipWithoutTmpfs(): boolean {
  if (allowed === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tmpfs-probe-'));
    allowed = mount(dir, '1m');
    if (allowed) spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
  if (allowed) return false;
  if (process.env.CI === 'true')
    throw new Error('mounting a tmpfs is required under CI=true (run the tests as root, or with CAP_SYS_ADMIN)');
  process.stderr.write('\n  NOTICE: cannot mount a tmpfs here — the full-disk tests are skipped (run as root)\n\n');
  return true;
}

/** Mounts a tmpfs of `size` (`3m`) on a fresh folder; `unmount` detaches it (lazily, if something still holds it). */
export function mountTmpfs(size: string): { dir: string; unmount: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tmpfs-'));
  if (!mount(dir, size)) throw new Error(`cannot mount a tmpfs on ${dir}`);
  return {
    dir,
    unmount: () => {
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mount(dir: string, size: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]).status === 0;
}
