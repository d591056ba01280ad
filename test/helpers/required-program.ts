/**
 * Tests that need a program outside npm (tmux, redis-server): where it is missing they skip with a
 * visible notice, except under CI=true, where a missing program is a failure (.ci/run installs both).
 */
import { spawnSync } from 'node:child_process';

const found = new Map<string, boolean>();

/** Whether `program` runs here (`program --version` or the given probe arguments exits 0). */
export function hasProgram(program: string, probe: string[] = ['-V']): boolean {
  const key = `${program} ${probe.join(' ')}`;
  if (!found.has(key)) found.set(key, spawnSync(program, probe, { stdio: 'ignore' }).status === 0);
  return found.get(key)!;
}

/**
 * True when the tests that need `program` should be skipped: it is missing and this is not CI.
 * `pkg` names the Debian package that provides it (or, with a probe such as `-c 'import flask'`,
 * the library the probe needs). Prints the notice once per package; under CI=true it throws, so
 * the run fails and names it.
 */
export function skipWithout(program: string, probe?: string[], pkg = program): boolean {
  if (hasProgram(program, probe)) return false;
  const install = `apt-get install ${pkg === program ? (DEBIAN_PACKAGE[program] ?? program) : pkg}`;
  if (process.env.CI === 'true') {
    throw new Error(`${pkg} is required under CI=true but was not found — ${install} (.ci/run does this)`);
  }
  if (!noticed.has(pkg)) {
    noticed.add(pkg);
    process.stderr.write(`\n  NOTICE: ${pkg} not found — its tests are skipped (${install} to run them)\n\n`);
  }
  return true;
}
const noticed = new Set<string>();
/** Where the package that brings a program is named otherwise. */
const DEBIAN_PACKAGE: Record<string, string> = { 'vim.tiny': 'vim-tiny' };
