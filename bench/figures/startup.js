// Start-up: `--help`, `--version` and one `trigger` against `node -e 0`, interleaved runs; and
// what checking a changed payload against its schema (ajv, loaded only then) adds to a trigger, and
// what reading a stored settings file (through conf, loaded only when there is one) adds.
// Where valgrind is installed, the same ratios in instructions executed (callgrind), which a busy
// machine does not change: wall-clock ratios on a loaded machine swing by a third.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, benchEnv, median, row, startBareServer, tempDir, timeRun } from '../lib.js';

/** Instructions `node ...args` executes, counted by callgrind; undefined without valgrind. */
function instructions(args, env) {
  const out = join(tempDir(), 'callgrind.out');
  const run = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (run.error) return undefined;
  const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr)?.[1];
  return refs ? Number(refs.replaceAll(',', '')) : undefined;
}

export default async function startup({ rounds }) {
  const runs = Math.max(15, rounds * 5);
  const env = benchEnv(tempDir());
  const storedDir = tempDir();
  writeFileSync(join(storedDir, 'config.json'), JSON.stringify({ secret: 'bench' }), { mode: 0o600 });
  const envOf = (name) => (name === 'triggerStored' ? benchEnv(storedDir) : env);
  const server = await startBareServer();
  const cases = {
    baseline: ['-e', '0'],
    help: [BIN, '--help'],
    version: [BIN, '--version'],
    trigger: [BIN, 'trigger', 'catalog.product.created', '--to', `${server.url}/webhook`, '--secret', 'bench'],
    triggerSet: [
      BIN,
      'trigger',
      'catalog.product.created',
      '--to',
      `${server.url}/webhook`,
      '--secret',
      'bench',
      '--set',
      'data.price=10',
    ],
    triggerStored: [BIN, 'trigger', 'catalog.product.created', '--to', `${server.url}/webhook`],
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const counted = {};
  try {
    for (const [name, args] of Object.entries(cases)) timeRun(args, envOf(name)); // warm the file cache
    for (let i = 0; i < runs; i++)
      for (const [name, args] of Object.entries(cases)) times[name].push(timeRun(args, envOf(name)));
    for (const name of ['baseline', 'help', 'version', 'trigger']) counted[name] = instructions(cases[name], env);
  } finally {
    server.close();
  }
  const base = median(times.baseline);
  const ratio = (name) => median(times[name]) / base;
  const byInstructions = [];
  if (counted.baseline !== undefined) {
    const target = { help: 1.2, version: 1.2, trigger: 1.6 };
    for (const name of ['help', 'version', 'trigger']) {
      const label = name === 'trigger' ? 'trigger (1 delivery)' : `--${name}`;
      const r = counted[name] / counted.baseline;
      byInstructions.push(
        row(
          `start-up: ${label} vs node -e 0, instructions`,
          counted[name] / 1e6,
          counted.baseline / 1e6,
          'M instr.',
          `≤ ${target[name]}×`,
          r <= target[name],
          'callgrind, one run each',
        ),
      );
    }
  }
  return [
    ...byInstructions,
    row(
      'start-up: --help vs node -e 0',
      median(times.help),
      base,
      'ms',
      '≤ 1.2×',
      ratio('help') <= 1.2,
      `median of ${runs}`,
    ),
    row(
      'start-up: --version vs node -e 0',
      median(times.version),
      base,
      'ms',
      '≤ 1.2×',
      ratio('version') <= 1.2,
      `median of ${runs}`,
    ),
    row(
      'start-up: trigger (1 delivery) vs node -e 0',
      median(times.trigger),
      base,
      'ms',
      '≤ 1.6×',
      ratio('trigger') <= 1.6,
      `median of ${runs}, local bare receiver`,
    ),
    // --set/--data only: the samples are proven valid by the tests, so a plain trigger skips ajv.
    row(
      'start-up: trigger --set (schema checked) vs trigger',
      median(times.triggerSet),
      median(times.trigger),
      'ms',
      '≤ 3×',
      median(times.triggerSet) / median(times.trigger) <= 3,
      `median of ${runs}; ajv loaded and one schema compiled`,
    ),
    row(
      'start-up: trigger with a settings file (its secret) vs trigger',
      median(times.triggerStored),
      median(times.trigger),
      'ms',
      '≤ 1.2×',
      median(times.triggerStored) / median(times.trigger) <= 1.2,
      `median of ${runs}; conf loaded to read config.json`,
    ),
  ];
}
