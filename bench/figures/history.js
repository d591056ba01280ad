// History on a database of 1,000,000 deliveries (generated here): `history --json --limit 50`
// and the TUI's first frame, each against `--help`; bytes per delivery; the TUI's peak memory.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateHistory, HISTORY_ROWS as ROWS } from '../history-rows.js';
import { BIN, benchEnv, median, row, tempDir, timeRun } from '../lib.js';

/**
 * Runs `args` in a real terminal (a detached tmux pane, 120×40) and polls the screen until `marker`
 * shows; returns the time to that frame. `--help` is timed the same way as the TUI, so tmux's own
 * costs fall on both sides. With `measureRss`, also the peak RSS once ink has loaded and paged.
 */
async function timeToScreen(env, args, marker, measureRss = false) {
  const session = `bench-history-${process.pid}`;
  const tmux = (...a) => execFileSync('tmux', a, { env, encoding: 'utf8' });
  // The pane gets tmux's own environment: name what matters on the command line. The sleep keeps
  // the pane of a command that exits (--help) on screen to be read.
  const command = `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR='${env.WEBHOOKS_CONFIG_DIR}' WEBHOOKS_DB='${env.WEBHOOKS_DB}' '${process.execPath}' '${BIN}' ${args}; sleep 10`;
  const started = process.hrtime.bigint();
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', command);
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (tmux('capture-pane', '-p', '-t', session).includes(marker)) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (!measureRss) return { ms };
        // Peak memory of the whole browser, not of the first frame: let ink load, then page down.
        await new Promise((r) => setTimeout(r, 1500));
        for (let i = 0; i < 10; i++) tmux('send-keys', '-t', session, 'PageDown');
        await new Promise((r) => setTimeout(r, 500));
        const shell = tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
        const node = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/)[0];
        const rssMb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${node}/status`, 'utf8'))[1]) / 1024;
        return { ms, rssMb };
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error(`"${args}" showed no "${marker}" within 30 s`);
  } finally {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
  }
}

export default async function history({ rounds }) {
  const dir = tempDir();
  const db = join(dir, 'history.db');
  const t0 = Date.now();
  generateHistory(db);
  const genSeconds = (Date.now() - t0) / 1000;
  process.stderr.write(`bench: generated ${ROWS} deliveries in ${db} (${genSeconds.toFixed(0)} s)\n`);
  const bytes = statSync(db).size + (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);
  const env = benchEnv(dir, { WEBHOOKS_DB: db });
  const runs = Math.max(9, rounds * 3);
  // tmux's server must run outside the measured window.
  execFileSync('tmux', ['start-server']);
  const help = [];
  const helpOnScreen = [];
  const list = [];
  const tui = [];
  let rss = 0;
  timeRun([BIN, 'history', '--json', '--limit', '50'], env); // warm the page cache
  for (let i = 0; i < runs; i++) {
    help.push(timeRun([BIN, '--help'], env));
    list.push(timeRun([BIN, 'history', '--json', '--limit', '50'], env));
    helpOnScreen.push((await timeToScreen(env, '--help', 'Examples:')).ms);
    const frame = await timeToScreen(env, 'history', 'dlv_', true);
    tui.push(frame.ms);
    rss = Math.max(rss, frame.rssMb);
  }
  const h = median(help);
  return [
    row(
      `history --json --limit 50 on ${ROWS} rows vs --help`,
      median(list),
      h,
      'ms',
      '≤ 1.5×',
      median(list) / h <= 1.5,
      `median of ${runs}`,
    ),
    row(
      `history TUI first frame on ${ROWS} rows vs --help, both in tmux`,
      median(tui),
      median(helpOnScreen),
      'ms',
      '≤ 1.5×',
      median(tui) / median(helpOnScreen) <= 1.5,
      `median of ${runs}; time until each shows in a 120×40 pane`,
    ),
    row(
      'history database size per delivery',
      bytes / ROWS,
      undefined,
      'bytes',
      '',
      undefined,
      `${(bytes / 2 ** 20).toFixed(0)} MiB for ${ROWS} rows (generated in ${genSeconds.toFixed(0)} s)`,
    ),
    row(
      `history TUI peak RSS on ${ROWS} rows`,
      rss,
      200,
      'MB',
      '≤ 200 MB',
      rss <= 200,
      'VmHWM after loading and paging down 10 screens',
    ),
  ];
}
