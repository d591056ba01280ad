// `listen` (verifying and recording every request) vs a bare node:http server that only reads the
// body and answers 200: same load generator (autocannon, signed requests with unique delivery ids),
// same run, alternating rounds. Then every answer must be a row in the history, and the peak RSS
// of `listen` under that load is read from /proc.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { median, row, startBareServer, startListen, tempDir } from '../lib.js';
import { sign } from '../../dist/core/signature.js';

const COUNT = Number(process.env.BENCH_RECEIVER_COUNT ?? 20_000);
const CONNECTIONS = 50;
const SECRET = 'bench-secret';

/** Sends `amount` signed requests; resolves with autocannon's result and the precise wall time. */
function load(url, body, amount = COUNT) {
  let n = 0;
  const signature = sign(body, SECRET);
  const started = performance.now();
  let lastAnswer = started;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        amount,
        requests: [
          {
            method: 'POST',
            body,
            // A fresh delivery id per request, as a real sender would use; the body (and so the
            // signature) stays the same, which keeps the generator's own cost equal for both servers.
            onResponse: () => {
              lastAnswer = performance.now();
            },
            setupRequest: (req) => ({
              ...req,
              headers: { 'content-type': 'application/json', 'x-webhook-event': 'customer.cart.added', 'x-webhook-delivery': `dlv_bench_${process.pid}_${n++}`, 'x-webhook-signature': signature },
            }),
          },
        ],
      },
      // autocannon ends (and measures `duration`) on whole-second ticks: too coarse for a rate,
      // so the time to the last answer is taken instead.
      (err, result) => (err ? reject(err) : resolve({ ...result, seconds: (lastAnswer - started) / 1000 })),
    );
  });
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs the load against one server and measures its rate and its CPU per request. */
async function measure(url, pid, body) {
  await load(url, body, WARM_UP);
  const before = cpuMs(pid);
  const result = await load(url, body);
  const answered = result['2xx'] + result.non2xx;
  return { result, rate: answered / result.seconds, cpuUsPerRequest: ((cpuMs(pid) - before) * 1000) / answered };
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function rate(result) {
  return (result['2xx'] + result.non2xx) / result.seconds;
}

/** Both servers get the same short warm-up before each measured run, so neither is measured while still being compiled. */
const WARM_UP = 2_000;

export default async function receiver({ rounds }) {
  const body = JSON.stringify({ event: 'customer.cart.added', timestamp: '2023-12-01T10:35:47Z', data: { customer_id: 'cust_8f3a', product_id: 'prod_77d1', quantity: 1, price: { amount: 59.9, currency: 'EUR' }, size: 'M', color: 'navy' } });
  const bare = await startBareServer();
  const ours = [];
  const theirs = [];
  const ratios = [];
  const cpuOurs = [];
  const cpuTheirs = [];
  const rss = [];
  let answered = 0;
  let recorded = 0;
  let non2xx = 0;
  try {
    // Rounds alternate the two servers, so a burst of other load on the machine hits both alike;
    // the ratio is taken per round.
    for (let i = 0; i < rounds; i++) {
      const baseline = await measure(`${bare.url}/webhook`, bare.pid, body);
      const dbPath = join(tempDir(), 'history.db');
      const listen = await startListen(dbPath, SECRET);
      const run = await measure(listen.url, listen.child.pid, body);
      rss.push(peakRssMb(listen.child.pid));
      const code = await stop(listen.child);
      if (code !== 0) throw new Error(`listen exited ${code} on SIGTERM`);
      theirs.push(baseline.rate);
      ours.push(run.rate);
      ratios.push(run.rate / baseline.rate);
      cpuTheirs.push(baseline.cpuUsPerRequest);
      cpuOurs.push(run.cpuUsPerRequest);
      // Everything listen answered, warm-up included, must be in its history.
      answered += COUNT + WARM_UP;
      non2xx += run.result.non2xx;
      const db = new Database(dbPath, { readonly: true });
      recorded += db.prepare(`SELECT count(*) AS n FROM deliveries WHERE direction = 'in'`).get().n;
      db.close();
    }
  } finally {
    bare.close();
  }
  const peak = Math.max(...rss);
  const ratio = median(ratios);
  return [
    { ...row(`listen (verify + record) vs bare node:http, ${CONNECTIONS} connections`, median(ours), median(theirs), 'req/s', '≥ 0.8×', ratio >= 0.8, `median of ${rounds} rounds × ${COUNT} signed requests (ratio: median per round); ${non2xx} non-2xx`), ratio },
    row('listen vs bare: CPU per request', median(cpuOurs), median(cpuTheirs), 'µs', '', undefined, 'user + system time of the server process; steadier than rates on a shared machine'),
    row('listen: rows in history = answers', recorded, answered, 'requests', '= (zero lost)', recorded === answered, 'counted after SIGTERM'),
    row('listen: peak RSS under that load', peak, undefined, 'MB', '≤ 150 MB', peak <= 150, 'VmHWM of the listen process'),
  ];
}
