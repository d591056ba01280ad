// `listen` under sustained load: alternating rounds of SECONDS each against a bare node:http
// server (reads the body, answers 200), `listen` on an empty history and `listen` on a history of
// HISTORY_ROWS deliveries, all with the same signed load (signed-load.js). After each run every
// answer must be a row; the peak RSS is read from /proc. One more run under `node --cpu-prof`
// gives the functions where listen's time goes, printed below the table.
import { join } from 'node:path';
import { topSelfTime } from '../cpu-profile.js';
import { generateHistory, HISTORY_ROWS } from '../history-rows.js';
import { median, peakRssMb, receivedRows, row, startBareServer, startListen, stop, tempDir } from '../lib.js';
import { CONNECTIONS, SECRET, signedLoad } from '../signed-load.js';

const SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 5);
/** Every server gets the same warm-up before each measured run: compiled code, a loaded duplicate index. */
const WARM_UP_SECONDS = 2;

/** One warmed-up run against a listen recording into `dbPath`: its rate, peak RSS, and whether every answer became a row. */
async function listenRun(dbPath, options) {
  const before = receivedRows(dbPath);
  const listen = await startListen(dbPath, SECRET, options);
  const warm = await signedLoad(listen.url, { seconds: WARM_UP_SECONDS });
  const run = await signedLoad(listen.url, { seconds: SECONDS });
  const rss = peakRssMb(listen.child.pid);
  const code = await stop(listen.child);
  if (code !== 0) throw new Error(`listen exited ${code} on SIGTERM`);
  return {
    rate: run.answered / run.seconds,
    rss,
    answered: warm.answered + run.answered,
    sent: warm.sent + run.sent,
    recorded: receivedRows(dbPath) - before,
    non2xx: warm.non2xx + run.non2xx,
  };
}

export default async function sustained({ rounds }) {
  const large = join(tempDir(), 'large-history.db');
  const started = Date.now();
  generateHistory(large);
  process.stderr.write(
    `bench: generated ${HISTORY_ROWS} deliveries for listen in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  const bare = await startBareServer();
  const runs = { bare: [], empty: [], large: [] };
  let answered = 0;
  let recorded = 0;
  let sent = 0;
  let non2xx = 0;
  const rss = [];
  try {
    for (let i = 0; i < rounds; i++) {
      await signedLoad(`${bare.url}/webhook`, { seconds: WARM_UP_SECONDS });
      const baseline = await signedLoad(`${bare.url}/webhook`, { seconds: SECONDS });
      runs.bare.push(baseline.answered / baseline.seconds);
      for (const [name, dbPath] of [
        ['empty', join(tempDir(), 'history.db')],
        ['large', large],
      ]) {
        const run = await listenRun(dbPath);
        runs[name].push(run.rate);
        rss.push(run.rss);
        answered += run.answered;
        sent += run.sent;
        recorded += run.recorded;
        non2xx += run.non2xx;
      }
    }
  } finally {
    bare.close();
  }
  const profileDir = tempDir();
  await listenRun(join(tempDir(), 'history.db'), { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] });
  const top = topSelfTime(profileDir, 12);

  const perRound = (a, b) => median(a.map((v, i) => v / b[i]));
  const vsBare = perRound(runs.empty, runs.bare);
  const largeVsEmpty = perRound(runs.large, runs.empty);
  const peak = Math.max(...rss);
  const note = `median of ${rounds} alternating rounds × ${SECONDS} s after ${WARM_UP_SECONDS} s warm-up (ratio: median per round)`;
  return [
    row(
      `listen vs bare node:http, sustained, ${CONNECTIONS} connections`,
      median(runs.empty),
      median(runs.bare),
      'req/s',
      '≥ 0.6×',
      vsBare >= 0.6,
      `${note}; ${non2xx} non-2xx`,
    ),
    row(
      `listen on ${HISTORY_ROWS} rows vs on an empty history, sustained`,
      median(runs.large),
      median(runs.empty),
      'req/s',
      '≥ 0.9×',
      largeVsEmpty >= 0.9,
      note,
    ),
    // Timed runs end with requests in flight: listen answers (and records) them after autocannon
    // stopped reading, so the rows lie between the answers read and the requests sent.
    row(
      'listen sustained: rows in history ≥ answers read',
      recorded,
      answered,
      'requests',
      'none lost',
      recorded >= answered && recorded <= sent,
      `both histories, counted after SIGTERM; ${sent} requests sent, ${recorded - answered} answered after the load generator stopped reading`,
    ),
    row(
      'listen sustained: peak RSS',
      peak,
      undefined,
      'MB',
      '≤ 150 MB',
      peak <= 150,
      'VmHWM of the listen process, largest of all runs',
    ),
    {
      details: [
        `Where listen's time goes under that load (self time, one ${SECONDS} s run under node --cpu-prof, idle excluded).`,
        'writev is the system call that sends each answer: on two shared cores it also holds the time the kernel',
        'takes to wake the load generator, which often runs then, on the same core.',
        '',
        '| share | function | where |',
        '|---|---|---|',
        ...top.map((t) => `| ${(t.share * 100).toFixed(1)} % | ${t.name} | ${t.where} |`),
      ],
    },
  ];
}
