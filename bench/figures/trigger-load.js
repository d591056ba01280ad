// `trigger --count 20000 --concurrency 50` against autocannon, same bare receiver, same run,
// rounds alternating. Each trigger round is checked: every delivery answered 2xx and recorded with
// its own delivery id (the lines of the spool it leaves). One more run under `node --cpu-prof`
// gives the functions where trigger's time goes, printed below the table.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { sign } from '../../dist-bench/internals.js';
import { topSelfTime } from '../cpu-profile.js';
import { BIN, benchEnv, median, row, startBareServer, tempDir } from '../lib.js';

const COUNT = Number(process.env.BENCH_TRIGGER_COUNT ?? 20_000);
const CONCURRENCY = 50;

function runAutocannon(url, body) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections: CONCURRENCY,
        amount: COUNT,
        body,
        headers: {
          'content-type': 'application/json',
          'x-webhook-event': 'customer.cart.added',
          'x-webhook-delivery': 'dlv_bench',
          'x-webhook-signature': sign(body, 'bench'),
        },
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

/** One `trigger` load run against `url`, recording under `configDir`; its --json output. */
function runTrigger(url, configDir, nodeArgs = []) {
  const res = spawnSync(
    process.execPath,
    [
      ...nodeArgs,
      BIN,
      'trigger',
      'customer.cart.added',
      '--count',
      String(COUNT),
      '--concurrency',
      String(CONCURRENCY),
      '--to',
      `${url}/webhook`,
      '--secret',
      'bench',
      '--json',
    ],
    { env: benchEnv(configDir), encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (res.status !== 0) throw new Error(`trigger exited ${res.status}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** How many records the run left in the spool (`history.db.spool/` of its config folder), and how many delivery ids. */
function recordedIds(configDir) {
  const spool = join(configDir, 'history.db.spool');
  const ids = readdirSync(spool)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => [...readFileSync(join(spool, f), 'utf8').matchAll(/"deliveryId":"([^"]+)"/g)].map((m) => m[1]));
  return { lines: ids.length, distinct: new Set(ids).size };
}

export default async function triggerLoad({ rounds }) {
  const server = await startBareServer();
  const body = JSON.stringify({
    event: 'customer.cart.added',
    timestamp: '2023-12-01T10:35:47Z',
    data: { customer_id: 'cust_1' },
  });
  const ours = [];
  const theirs = [];
  let top = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const r = await runAutocannon(`${server.url}/webhook`, body);
      theirs.push(r.requests.total / r.duration);
      const configDir = tempDir();
      const { summary } = runTrigger(server.url, configDir);
      if (summary.succeeded !== COUNT) throw new Error(`trigger: ${summary.succeeded} of ${COUNT} succeeded`);
      const recorded = recordedIds(configDir);
      if (recorded.lines !== COUNT || recorded.distinct !== COUNT)
        throw new Error(
          `trigger: ${recorded.lines} records, ${recorded.distinct} delivery ids, for ${COUNT} deliveries`,
        );
      ours.push(summary.rate_per_second);
    }
    const profileDir = tempDir();
    runTrigger(server.url, tempDir(), ['--cpu-prof', '--cpu-prof-dir', profileDir]);
    top = topSelfTime(profileDir, 12);
  } finally {
    server.close();
  }
  const a = median(ours);
  const b = median(theirs);
  // Rounds are paired: the machine's load moves both figures of a round alike.
  const ratio = median(ours.map((o, i) => o / theirs[i]));
  return [
    {
      details: [
        `trigger-load rounds (trigger / autocannon req/s): ${ours.map((o, i) => `${Math.round(o)}/${Math.round(theirs[i])}`).join(', ')}`,
        '',
        `Where trigger's time goes (self time, one --count ${COUNT} run under node --cpu-prof, idle excluded, start-up included).`,
        '',
        '| share | function | where |',
        '|---|---|---|',
        ...top.map((t) => `| ${(t.share * 100).toFixed(1)} % | ${t.name} | ${t.where} |`),
      ],
    },
    {
      ...row(
        `trigger --count ${COUNT} --concurrency ${CONCURRENCY} vs autocannon`,
        a,
        b,
        'req/s',
        '≥ 0.8×',
        ratio >= 0.8,
        `ratio: median of ${rounds} paired rounds; each delivery signed, its own delivery id, recorded`,
      ),
      ratio,
    },
  ];
}
