// The tunnel's cost: one real `listen --relay` process (verify + record in SQLite) reached
// directly on its port and through a real `relay` process, in the same run. Rate at
// concurrency 32; latency one request at a time, so queueing does not hide what the two extra
// hops (HTTP into the relay, WebSocket to the listener) add.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webhookHeaders } from '../../dist/core/webhook-request.js';
import { summariseLatencies } from '../../dist/core/stats.js';

const BIN = fileURLToPath(new URL('../../bin/webhooks-cli.cjs', import.meta.url));
const SECRET = 'bench-secret';
const RATE_REQUESTS = Number(process.env.BENCH_RELAY_REQUESTS ?? 4000);
const RATE_CONCURRENCY = 32;
const LATENCY_REQUESTS = Number(process.env.BENCH_RELAY_LATENCY_REQUESTS ?? 1000);

const body = Buffer.from(JSON.stringify({
  event: 'customer.cart.added',
  timestamp: '2026-01-01T00:00:00Z',
  data: { customer_id: 'cust_67890', product_id: 'prod_12345', quantity: 1, price: 89.99, currency: 'USD' },
}));
let sequence = 0;

/** One signed POST over a keep-alive agent; resolves with its latency in ms (rejects on non-2xx). */
function post(url, agent) {
  const headers = webhookHeaders({ event: 'customer.cart.added', deliveryId: `dlv_bench_${sequence++}`, body, secret: SECRET, userAgent: 'bench/1' });
  headers['content-length'] = String(body.length);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode} from ${url}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measureRate(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: RATE_CONCURRENCY });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: RATE_CONCURRENCY }, async () => {
    while (next++ < RATE_REQUESTS) await post(url, agent);
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return RATE_REQUESTS / seconds;
}

async function measureLatency(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const values = [];
  for (let i = 0; i < LATENCY_REQUESTS; i++) values.push(await post(url, agent));
  agent.destroy();
  return summariseLatencies(values);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The built CLI as a child process; `waitFor` resolves with the first group of a pattern seen on its output. */
function startCli(args, env) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', CI: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Bounded lifetime whatever happens to the bench.
  const guard = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
  guard.unref();
  let seen = '';
  const watchers = new Set();
  const look = (chunk) => {
    // Keep only the start: a listener prints a line per request, and the patterns come first.
    if (seen.length < 64 * 1024) seen += chunk.toString();
    for (const w of watchers) w();
  };
  child.stdout.on('data', look);
  child.stderr.on('data', look);
  return {
    waitFor: (pattern) => new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(seen);
        if (match) {
          watchers.delete(check);
          resolve(match[1]);
        }
      };
      watchers.add(check);
      child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${seen}`)));
      check();
    }),
    stop: () => new Promise((resolve) => {
      clearTimeout(guard);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export default async function relayFigures({ rounds }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-relay-'));
  const env = { WEBHOOKS_CONFIG_DIR: dir, WEBHOOKS_DB: join(dir, 'history.db') };
  const relay = startCli(['--json', 'relay', '--port', '0'], env);
  let listen;
  const results = { directRate: [], relayRate: [], directP50: [], relayP50: [], directP99: [], relayP99: [] };
  try {
    const relayUrl = await relay.waitFor(/"listening":"([^"]+)"/);
    listen = startCli(['listen', '--port', '0', '--no-tui', '--secret', SECRET, '--relay', relayUrl.replace('http', 'ws')], env);
    const direct = await listen.waitFor(/listening on (\S+)/);
    const relayed = await listen.waitFor(/public URL (\S+)/);
    // Warm both paths (JIT, SQLite pages, sockets) before measuring.
    await measureRate(direct);
    await measureRate(relayed);
    for (let round = 0; round < rounds; round++) {
      results.directRate.push(await measureRate(direct));
      results.relayRate.push(await measureRate(relayed));
      const d = await measureLatency(direct);
      const r = await measureLatency(relayed);
      results.directP50.push(d.p50);
      results.relayP50.push(r.p50);
      results.directP99.push(d.p99);
      results.relayP99.push(r.p99);
    }
  } finally {
    await listen?.stop();
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const directRate = median(results.directRate);
  const relayRate = median(results.relayRate);
  const directP50 = median(results.directP50);
  const relayP50 = median(results.relayP50);
  const directP99 = median(results.directP99);
  const relayP99 = median(results.relayP99);
  const addedP50 = relayP50 - directP50;
  const addedP99 = relayP99 - directP99;
  const context = `relay and listen --relay as processes; listener verifies and records; median of ${rounds} round(s)`;
  process.stderr.write(`relay: rate ${relayRate.toFixed(0)} vs ${directRate.toFixed(0)} req/s direct; p50 +${addedP50.toFixed(2)} ms, p99 +${addedP99.toFixed(2)} ms\n`);
  return [
    { figure: 'relay end-to-end rate', ours: relayRate, baseline: directRate, unit: 'req/s', ratio: relayRate / directRate, target: '≥ 0.5× direct', met: relayRate >= 0.5 * directRate, note: `${RATE_REQUESTS} signed POSTs at concurrency ${RATE_CONCURRENCY}; ${context}` },
    { figure: 'relay latency p50', ours: relayP50, baseline: directP50, unit: 'ms', ratio: relayP50 / directP50, target: '≤ +2 ms', met: addedP50 <= 2, note: `added ${addedP50.toFixed(2)} ms; ${LATENCY_REQUESTS} sequential requests` },
    { figure: 'relay latency p99', ours: relayP99, baseline: directP99, unit: 'ms', ratio: relayP99 / directP99, note: `added ${addedP99.toFixed(2)} ms` },
  ];
}
