/**
 * A python3 that can import a module (flask, django, fastapi): the one on PATH, else Debian's own
 * /usr/bin/python3, where `apt-get install python3-flask` puts it (a python3 of a version manager
 * on PATH does not see those). Missing, its tests skip with a notice, or fail under CI=true.
 */
import { spawnSync } from 'node:child_process';

const CANDIDATES = ['python3', '/usr/bin/python3'];
const found = new Map<string, string | undefined>();
const noticed = new Set<string>();

/** The first python3 that imports every one of `modules`, or undefined. */
export function pythonWith(...modules: string[]): string | undefined {
  const key = modules.join(',');
  if (!found.has(key))
    found.set(
      key,
      CANDIDATES.find((python) => spawnSync(python, ['-c', `import ${key}`], { stdio: 'ignore' }).status === 0),
    );
  return found.get(key);
}

/** True when the tests needing `modules` should be skipped (see required-program.ts for the rule). */
export function skipWithoutPython(debianPackages: string, ...modules: string[]): boolean {
  if (pythonWith(...modules)) return false;
  const install = `apt-get install ${debianPackages}`;
  if (process.env.CI === 'true')
    throw new Error(`python3 with ${modules.join(', ')} is required under CI=true — ${install} (.ci/run does this)`);
  if (!noticed.has(debianPackages)) {
    noticed.add(debianPackages);
    process.stderr.write(
      `\n  NOTICE: python3 with ${modules.join(', ')} not found — its tests are skipped (${install})\n\n`,
    );
  }
  return true;
}
