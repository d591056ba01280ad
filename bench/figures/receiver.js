// `listen` (verifying and recording every request) vs a bare node:http server that only reads the
// body and answers 200: same load generator (signed-load.js), same run, alternating rounds of a
// fixed number of requests. Then every answer must be a row in the history, and the peak RSS of
// `listen` under that load is read from /proc. listen-sustained.js holds the same load for seconds.
import { join } from 'node:path';
import { median, peakRssMb, receivedRows, row, startBareServer, startListen, stop, tempDir } from '../lib.js';
import { CONNECTIONS, cpuMs, SECRET, signedLoad } from '../signed-load.js';

const COUNT = Number(process.env.BENCH_RECEIVER_COUNT ?? 20_000);
/** Both servers get the same short warm-up before each measured run, so neither is measured while still being compiled. */
const WARM_UP = 2_000;

/** Runs the load against one server and measures its rate and its CPU per request. */
async function measure(url, pid) {
  await signedLoad(url, { amount: WARM_UP });
  const before = cpuMs(pid);
  const result = await signedLoad(url, { amount: COUNT });
  return {
    result,
    rate: result.answered / result.seconds,
    cpuUsPerRequest: ((cpuMs(pid) - before) * 1000) / result.answered,
  };
}

export default async function receiver({ rounds }) {
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
      const baseline = await measure(`${bare.url}/webhook`, bare.pid);
      const dbPath = join(tempDir(), 'history.db');
      const listen = await startListen(dbPath, SECRET);
      const run = await measure(listen.url, listen.child.pid);
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
      recorded += receivedRows(dbPath);
    }
  } finally {
    bare.close();
  }
  const peak = Math.max(...rss);
  const ratio = median(ratios);
  return [
    {
      ...row(
        `listen (verify + record) vs bare node:http, ${CONNECTIONS} connections`,
        median(ours),
        median(theirs),
        'req/s',
        '≥ 0.8×',
        ratio >= 0.8,
        `median of ${rounds} rounds × ${COUNT} signed requests (ratio: median per round); ${non2xx} non-2xx`,
      ),
      ratio,
    },
    row(
      'listen vs bare: CPU per request',
      median(cpuOurs),
      median(cpuTheirs),
      'µs',
      '',
      undefined,
      'user + system time of the server process; steadier than rates on a shared machine',
    ),
    row(
      'listen: rows in history = answers',
      recorded,
      answered,
      'requests',
      '= (zero lost)',
      recorded === answered,
      'counted after SIGTERM',
    ),
    row(
      'listen: peak RSS under that load',
      peak,
      undefined,
      'MB',
      '≤ 150 MB',
      peak <= 150,
      'VmHWM of the listen process',
    ),
  ];
}
