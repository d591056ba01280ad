// Start-up: `--help`, `--version` and one `trigger` against `node -e 0`, interleaved runs; and
// what checking a changed payload against its schema (ajv, loaded only then) adds to a trigger.
import { BIN, benchEnv, median, row, startBareServer, tempDir, timeRun } from '../lib.js';

export default async function startup({ rounds }) {
  const runs = Math.max(15, rounds * 5);
  const env = benchEnv(tempDir());
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
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  try {
    for (const args of Object.values(cases)) timeRun(args, env); // warm the file cache
    for (let i = 0; i < runs; i++)
      for (const [name, args] of Object.entries(cases)) times[name].push(timeRun(args, env));
  } finally {
    server.close();
  }
  const base = median(times.baseline);
  const ratio = (name) => median(times[name]) / base;
  return [
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
  ];
}
