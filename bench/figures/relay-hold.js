// Holding on the relay, with real processes: `relay` (SQLite hold store in a temp --data-dir)
// and `listen --relay` (verifying and recording). Two figures, each beside its baseline measured
// in the same run:
// - the drain rate: held deliveries per second from the listener's start to all of them in its
//   history, against the rate of the same number of live deliveries through the relay;
// - the relay's answer time for a held delivery (written with an fsync before the 202) against a
//   live one (the listener's own answer, through the tunnel), p50 of sequential requests.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { sign, summariseLatencies } from '../../dist-bench/internals.js';
import { BIN, benchEnv, median, receivedRows, row, tempDir } from '../lib.js';

const SECRET = 'bench-secret';
const DRAIN_COUNT = Number(process.env.BENCH_HOLD_DRAIN ?? 5000);
const LATENCY_REQUESTS = Number(process.env.BENCH_HOLD_LATENCY_REQUESTS ?? 500);
const CONCURRENCY = 32;
const RELAY_ARGS = ['--rate-limit', '1000000', '--max-pending', '1000'];

const body = Buffer.from(
  JSON.stringify({
    event: 'customer.cart.added',
    timestamp: '2026-01-01T00:00:00Z',
    data: { customer_id: 'cust_67890', product_id: 'prod_12345', quantity: 1, price: 89.99, currency: 'USD' },
  }),
);
const signature = sign(body, SECRET);
let sequence = 0;

/** One signed POST; resolves with its latency in ms and its status. */
function post(url, agent) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'x-webhook-event': 'customer.cart.added',
          'x-webhook-delivery': `dlv_hold_${sequence++}`,
          'x-webhook-signature': signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` POSTs, `concurrency` at a time; every answer must be `status`. */
async function load(url, count, concurrency, status) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const answer = await post(url, agent);
        if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status} from ${url}`);
      }
    }),
  );
  agent.destroy();
  return (performance.now() - started) / 1000;
}

async function p50(url, status) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const values = [];
  for (let i = 0; i < LATENCY_REQUESTS; i++) {
    const answer = await post(url, agent);
    if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}`);
    values.push(answer.ms);
  }
  agent.destroy();
  return summariseLatencies(values).p50;
}

/** The built CLI as a child; `waitFor` resolves with the first group of a pattern on its output. */
function cli(args, env) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const guard = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
  guard.unref();
  // stderr whole (the banner and status lines), stdout's start only (a listener prints a line per request).
  let seen = '';
  let stdoutSeen = 0;
  child.stdout.on('data', (chunk) => {
    if (stdoutSeen < 64 * 1024) seen += chunk.toString();
    stdoutSeen += chunk.length;
  });
  child.stderr.on('data', (chunk) => (seen += chunk.toString()));
  return {
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          const match = pattern.exec(seen);
          if (match) return resolve(match[1]);
          if (child.exitCode !== null || Date.now() > deadline)
            return reject(new Error(`${args.join(' ')}: no ${pattern}: ${seen}`));
          setTimeout(check, 5);
        };
        check();
      }),
    stop: () =>
      new Promise((resolve) => {
        clearTimeout(guard);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function until(check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One round: a fresh relay and listener; the live and held figures. */
async function round() {
  const dir = tempDir('bench-hold-');
  const env = benchEnv(join(dir, 'config'));
  const relay = cli(['--json', 'relay', '--port', '0', '--data-dir', join(dir, 'held'), ...RELAY_ARGS], env);
  const started = [relay];
  try {
    const relayUrl = await relay.waitFor(/"listening":"([^"]+)"/);
    const wsUrl = relayUrl.replace('http', 'ws');
    const listenArgs = ['listen', '--port', '0', '--no-tui', '--secret', SECRET, '--relay', wsUrl];
    const dbPath = join(dir, 'config', 'history.db');
    let listen = cli(listenArgs, env);
    started.push(listen);
    const publicUrl = await listen.waitFor(/public URL (\S+)/);
    await listen.waitFor(/relay: connected/);

    // Live: through the relay to the connected listener, into its history.
    await load(publicUrl, 500, CONCURRENCY, 200); // warm up
    const before = receivedRows(dbPath);
    const liveSeconds = await load(publicUrl, DRAIN_COUNT, CONCURRENCY, 200);
    await until(() => receivedRows(dbPath) >= before + DRAIN_COUNT);
    const liveRate = DRAIN_COUNT / liveSeconds;
    const liveP50 = await p50(publicUrl, 200);
    await listen.stop();

    // Held: no listener; answered 202 once written. Then the drain of all of them.
    const heldP50 = await p50(publicUrl, 202);
    await load(publicUrl, DRAIN_COUNT, CONCURRENCY, 202);
    const held = DRAIN_COUNT + LATENCY_REQUESTS;
    const rowsBefore = receivedRows(dbPath);
    const drainStarted = performance.now();
    listen = cli(listenArgs, env);
    started.push(listen);
    await until(() => receivedRows(dbPath) >= rowsBefore + held);
    const drainRate = held / ((performance.now() - drainStarted) / 1000);
    await listen.waitFor(/relay: caught up/);
    return { liveRate, drainRate, liveP50, heldP50 };
  } finally {
    for (const child of started.reverse()) await child.stop();
  }
}

export default async function relayHoldFigures({ rounds }) {
  const results = [];
  for (let i = 0; i < rounds; i++) results.push(await round());
  const pick = (key) => median(results.map((r) => r[key]));
  const [liveRate, drainRate, liveP50, heldP50] = ['liveRate', 'drainRate', 'liveP50', 'heldP50'].map(pick);
  process.stderr.write(
    `relay hold: drain ${drainRate.toFixed(0)}/s vs live ${liveRate.toFixed(0)}/s; p50 held ${heldP50.toFixed(2)} ms vs live ${liveP50.toFixed(2)} ms\n`,
  );
  const context = `relay and listen --relay as processes, SQLite hold store; median of ${rounds} round(s)`;
  return [
    row(
      'held deliveries drained into the history',
      drainRate,
      liveRate,
      'deliveries/s',
      '≥ 0.5× live',
      drainRate >= 0.5 * liveRate,
      `${DRAIN_COUNT + LATENCY_REQUESTS} held, from listen's start (process start and connect included) to all in its history; baseline: ${DRAIN_COUNT} live through the relay at concurrency ${CONCURRENCY}; ${context}`,
    ),
    row(
      "relay's answer p50, held delivery",
      heldP50,
      liveP50,
      'ms',
      '≤ live + 10 ms',
      heldP50 <= liveP50 + 10,
      `held: written to SQLite with an fsync (synchronous=FULL) before the 202; live: the listener's answer through the tunnel; ${LATENCY_REQUESTS} sequential requests each`,
    ),
  ];
}
