// Reads a V8 .cpuprofile (node --cpu-prof) and lists the functions that spent the most time
// themselves (self time), so the bench shows where a process's time goes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The `count` functions with the most self time in the profile written into `dir`: `{ share, name, where }`. */
export function topSelfTime(dir, count = 12) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    // Waiting for the next request is not time spent on one.
    if (frame.functionName === '(idle)') return;
    total += ms;
    const where = frame.url ? `${frame.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}\t${where}`;
    self.set(key, (self.get(key) ?? 0) + ms);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => {
      const [name, where] = key.split('\t');
      return { share: ms / total, name, where };
    });
}
