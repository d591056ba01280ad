// `kill -9` of `listen` under load: how many requests it had answered (2xx, counted by delivery id
// at the sender) are missing from the history afterwards. SIGTERM loses none (the receiver figure
// counts that); a killed process can lose only what it had not yet handed to SQLite or the spool,
// which listen bounds: never more than MAX_ACCEPTED_UNWRITTEN accepted requests in memory alone
// (src/receiver/history-recorder.ts). The figure is the worst round against that guaranteed bound.
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MAX_ACCEPTED_UNWRITTEN, sign } from '../../dist-bench/internals.js';
import { median, row, startListen, tempDir } from '../lib.js';

const SECRET = 'bench-secret';
const CONNECTIONS = 50;
/** How long the load runs before the kill. */
const LOAD_MS = Number(process.env.BENCH_KILL9_LOAD_MS ?? 2_500);

/** Keeps `CONNECTIONS` signed requests in flight until `stopped()`; returns the ids answered 2xx. */
async function drive(url, stopped) {
  const body = JSON.stringify({
    event: 'customer.cart.added',
    timestamp: '2023-12-01T10:35:47Z',
    data: { customer_id: 'cust_8f3a', product_id: 'prod_77d1', quantity: 1 },
  });
  const signature = sign(body, SECRET);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const answered = [];
  let n = 0;
  const one = (id) =>
    new Promise((resolve) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'x-webhook-event': 'customer.cart.added',
            'x-webhook-delivery': id,
            'x-webhook-signature': signature,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
          res.on('error', () => resolve(undefined));
        },
      );
      req.on('error', () => resolve(undefined));
      req.end(body);
    });
  const worker = async () => {
    while (!stopped()) {
      const id = `dlv_kill9_${n++}`;
      const status = await one(id);
      if (status >= 200 && status < 300) answered.push(id);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
  return answered;
}

/**
 * One round: `listen` under load, killed with SIGKILL after LOAD_MS; how many requests it had
 * answered 2xx are missing once the next command has opened the history. `locked`: another
 * process holds the history's write lock all along (what kept every answer in memory before).
 */
async function round({ locked }) {
  const dbPath = join(tempDir(), 'history.db');
  const listen = await startListen(dbPath, SECRET);
  const blocker = locked ? new Database(dbPath) : undefined;
  blocker?.exec('BEGIN EXCLUSIVE');
  let killed = false;
  listen.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => listen.child.once('exit', resolve));
  const started = performance.now();
  setTimeout(() => {
    listen.child.kill('SIGKILL');
    killed = true;
  }, LOAD_MS);
  const answered = await drive(listen.url, () => killed);
  await exited;
  blocker?.exec('COMMIT');
  blocker?.close();
  const rate = answered.length / ((performance.now() - started) / 1000);
  // Opening it as the next command would: the WAL is replayed, the spool imported.
  const { HistoryStore } = await import('../../dist-bench/internals.js');
  HistoryStore.open(dbPath).close();
  const db = new Database(dbPath, { readonly: true });
  const has = db.prepare(`SELECT 1 FROM deliveries WHERE delivery_id = ? AND direction = 'in'`);
  const lost = answered.filter((id) => !has.get(id)).length;
  db.close();
  return { lost, rate };
}

export default async function kill9({ rounds }) {
  const rows = [];
  for (const locked of [false, true]) {
    const results = [];
    for (let i = 0; i < Math.max(rounds, 5); i++) results.push(await round({ locked }));
    const lost = results.map((r) => r.lost);
    rows.push(
      row(
        `listen: answered requests lost to kill -9 under load${locked ? ', history locked by another process' : ''} (max of rounds)`,
        Math.max(...lost),
        MAX_ACCEPTED_UNWRITTEN,
        'requests',
        `≤ ${MAX_ACCEPTED_UNWRITTEN} (guaranteed bound)`,
        Math.max(...lost) <= MAX_ACCEPTED_UNWRITTEN,
        `baseline: the bound listen guarantees; ${lost.join(', ')} lost in ${lost.length} rounds killed after ${LOAD_MS / 1000} s at about ${Math.round(median(results.map((r) => r.rate)))} answers/s, ${CONNECTIONS} connections`,
      ),
    );
  }
  return rows;
}
