// The web inspector must not slow the receiver: `listen`'s sustained rate with a browser tab open
// on the inspector's live list (Debian's chromium, headless, through playwright-core) against
// `listen --no-inspect`, same signed load (signed-load.js), alternating rounds of SECONDS each,
// the ratio taken per round. While the load runs, the page is asked for its newest row every
// 250 ms: how long the slowest answer took says whether the live list froze, and the last row
// it showed whether it kept up. Then the list's pages through a history of a million rows (as
// `webhooks-cli inspect` serves them) against a one-row history, and the memory that takes.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { generateHistory, HISTORY_ROWS } from '../history-rows.js';
import { BIN, benchEnv, median, peakRssMb, row, startListen, stop, tempDir } from '../lib.js';
import { CONNECTIONS, cpuMs, SECRET, signedLoad } from '../signed-load.js';

const SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 5);
const WARM_UP_SECONDS = 2;
const CHROMIUM = '/usr/bin/chromium';

async function inspectorUrl(listen) {
  for (let i = 0; i < 200; i++) {
    const m = /inspector on (http:\/\/\S+)/.exec(listen.stderr());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`listen printed no inspector URL: ${listen.stderr()}`);
}

/** One warmed-up run; with `browser`, a tab open on the live list throughout. */
async function run(browser) {
  const dbPath = join(tempDir(), 'history.db');
  const listen = await startListen(dbPath, SECRET, {
    args: browser ? ['--inspect', '127.0.0.1:0'] : ['--no-inspect'],
  });
  let page;
  if (browser) {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(await inspectorUrl(listen));
    await page.getByText('No deliveries yet.').waitFor();
  }
  await signedLoad(listen.url, { seconds: WARM_UP_SECONDS });
  let slowestAnswerMs = 0;
  let polling = Boolean(page);
  const poll = (async () => {
    while (polling) {
      const asked = performance.now();
      await page.evaluate("document.querySelector('tr.row .c-delivery')?.textContent");
      slowestAnswerMs = Math.max(slowestAnswerMs, performance.now() - asked);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const cpuBefore = cpuMs(listen.child.pid);
  const browserBefore = browser ? browserCpuMs(listen.child.pid) : 0;
  const load = await signedLoad(listen.url, { seconds: SECONDS });
  const cpuUsPerRequest = ((cpuMs(listen.child.pid) - cpuBefore) * 1000) / load.answered;
  const browserShare = browser ? (browserCpuMs(listen.child.pid) - browserBefore) / (load.seconds * 1000) : 0;
  polling = false;
  await poll;
  let lastShown;
  if (page) {
    // The page catches up within a tick (500 ms) and a burst's redraw (at most a second) of the last answer.
    await new Promise((r) => setTimeout(r, 2500));
    lastShown = await page.evaluate("document.querySelector('tr.row .c-delivery')?.textContent");
    await page.close();
  }
  const code = await stop(listen.child);
  if (code !== 0) throw new Error(`listen exited ${code} on SIGTERM`);
  return {
    rate: load.answered / load.seconds,
    cpuUsPerRequest,
    browserShare,
    slowestAnswerMs,
    caughtUp: page ? lastShown === newestDelivery(dbPath) : undefined,
    non2xx: load.non2xx,
  };
}

/** CPU time of the browser's processes (this process's children other than listen and their children), in ms. */
function browserCpuMs(listenPid) {
  // A process's children, whichever of its threads started them.
  const children = (pid) => {
    try {
      return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
        readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
      );
    } catch {
      return [];
    }
  };
  const tree = (pid) => [pid, ...children(pid).flatMap(tree)];
  let total = 0;
  for (const pid of children(process.pid)
    .filter((p) => p !== listenPid)
    .flatMap(tree)) {
    try {
      total += cpuMs(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

function newestDelivery(dbPath) {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT delivery_id FROM deliveries ORDER BY id DESC LIMIT 1').pluck().get();
  } finally {
    db.close();
  }
}

/** `webhooks-cli inspect` over `dbPath`; resolves with its URL, token and process once it prints them. */
function startInspect(dbPath) {
  const dir = tempDir();
  const child = spawn(process.execPath, [BIN, '--json', 'inspect', '--port', '0', '--db', dbPath], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: benchEnv(dir),
    cwd: dir,
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (d) => {
      seen += d;
      if (!seen.includes('\n')) return;
      const url = new URL(JSON.parse(seen.split('\n')[0]).inspector_url);
      resolve({ child, base: `http://${url.host}`, token: url.searchParams.get('token') });
    });
    child.once('exit', (code) => reject(new Error(`inspect exited ${code}`)));
  });
}

/** Median ms of `times` requests for one page of the list. */
async function pageMs({ base, token }, query, times = 9) {
  const ms = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const response = await fetch(`${base}/api/rows?${query}`, { headers: { 'x-inspector-token': token } });
    if (!response.ok) throw new Error(`${query}: ${response.status}`);
    await response.json();
    ms.push(performance.now() - started);
  }
  return median(ms);
}

/** The list's pages on a large history against a one-row one: newest, the middle, a filter, free text. */
async function paging() {
  const large = join(tempDir(), 'large-history.db');
  generateHistory(large);
  const small = join(tempDir(), 'small-history.db');
  generateHistory(small, 1);
  const queries = [
    ['newest 50', 'limit=50'],
    ['50 from the middle', `limit=50&before=${HISTORY_ROWS / 2}`],
    ['event:customer.cart.added', `limit=50&q=${encodeURIComponent('event:customer.cart.added')}`],
    ['free text over the bodies (one bounded stretch)', `limit=50&q=${encodeURIComponent('no-such-text')}`],
  ];
  const results = [];
  for (const dbPath of [large, small]) {
    const inspect = await startInspect(dbPath);
    const times = [];
    for (const [, query] of queries) times.push(await pageMs(inspect, query));
    results.push({ times, rss: peakRssMb(inspect.child.pid) });
    await stop(inspect.child);
  }
  return [
    ...queries.map(([name], i) =>
      row(
        `inspector list page on ${HISTORY_ROWS} rows vs on 1 row: ${name}`,
        results[0].times[i],
        results[1].times[i],
        'ms',
        '',
        undefined,
        'median of 9 requests to webhooks-cli inspect, keyset by row id',
      ),
    ),
    row(
      `inspector on ${HISTORY_ROWS} rows: peak RSS after those pages`,
      results[0].rss,
      results[1].rss,
      'MB',
      'not the history (~800 MB)',
      results[0].rss < 200,
      'VmHWM of the inspect process; the history is read a page at a time',
    ),
  ];
}

export default async function inspector({ rounds }) {
  if (!existsSync(CHROMIUM)) {
    return [{ details: [`inspector figure skipped: ${CHROMIUM} not found (apt-get install chromium)`] }];
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const plain = [];
  const watched = [];
  const cpuPlain = [];
  const cpuWatched = [];
  const browserShares = [];
  const slowest = [];
  const shown = [];
  let non2xx = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      const without = await run(undefined);
      const withTab = await run(browser);
      plain.push(without.rate);
      watched.push(withTab.rate);
      cpuPlain.push(without.cpuUsPerRequest);
      cpuWatched.push(withTab.cpuUsPerRequest);
      browserShares.push(withTab.browserShare);
      slowest.push(withTab.slowestAnswerMs);
      shown.push(withTab.caughtUp);
      non2xx += without.non2xx + withTab.non2xx;
    }
  } finally {
    await browser.close();
  }
  const pages = await paging();
  const ratios = watched.map((v, i) => v / plain[i]);
  const ratio = median(ratios);
  const note = `median of ${rounds} alternating rounds × ${SECONDS} s after ${WARM_UP_SECONDS} s warm-up, ${CONNECTIONS} connections (ratio: median per round; rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}); ${non2xx} non-2xx`;
  return [
    {
      ...row(
        'listen with a browser tab on the inspector’s live list vs --no-inspect, sustained',
        median(watched),
        median(plain),
        'req/s',
        '≥ 0.9×',
        ratio >= 0.9,
        note,
      ),
      ratio,
    },
    row(
      'listen with the tab vs --no-inspect: CPU per request',
      median(cpuWatched),
      median(cpuPlain),
      'µs',
      '',
      undefined,
      `user + system time of the listen process (the inspector's server included); steadier than rates on a shared machine. The browser used ${(median(browserShares) * 100).toFixed(0)} % of a core meanwhile (median), on the same two cores`,
    ),
    row(
      'inspector page under that load: slowest answer to a query of its list',
      Math.max(...slowest),
      undefined,
      'ms',
      '< 1000 ms (never frozen)',
      Math.max(...slowest) < 1000,
      `the page was asked for its newest row every 250 ms throughout; 2.5 s after the load it showed the history's newest row in ${shown.filter(Boolean).length} of ${rounds} runs`,
    ),
    ...pages,
  ];
}
