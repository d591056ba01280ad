// `trigger --count 20000 --concurrency 50` against autocannon, same bare receiver, same run.
import { spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import { sign } from '../../dist-bench/internals.js';
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

export default async function triggerLoad({ rounds }) {
  const server = await startBareServer();
  const body = JSON.stringify({
    event: 'customer.cart.added',
    timestamp: '2023-12-01T10:35:47Z',
    data: { customer_id: 'cust_1' },
  });
  const ours = [];
  const theirs = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const r = await runAutocannon(`${server.url}/webhook`, body);
      theirs.push(r.requests.total / r.duration);
      const res = spawnSync(
        process.execPath,
        [
          BIN,
          'trigger',
          'customer.cart.added',
          '--count',
          String(COUNT),
          '--concurrency',
          String(CONCURRENCY),
          '--to',
          `${server.url}/webhook`,
          '--secret',
          'bench',
          '--json',
        ],
        { env: benchEnv(tempDir()), encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      const { summary } = JSON.parse(res.stdout);
      if (summary.succeeded !== COUNT) throw new Error(`trigger: ${summary.succeeded} of ${COUNT} succeeded`);
      ours.push(summary.rate_per_second);
    }
  } finally {
    server.close();
  }
  const a = median(ours);
  const b = median(theirs);
  return [
    row(
      `trigger --count ${COUNT} --concurrency ${CONCURRENCY} vs autocannon`,
      a,
      b,
      'req/s',
      '≥ 0.6×',
      a / b >= 0.6,
      `median of ${rounds}; signed, recorded in history`,
    ),
  ];
}
