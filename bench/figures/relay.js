// The tunnel's cost: one real `listen --relay` process (verify + record in SQLite) reached
// directly on its port and through a real `relay` process, in the same run. Rate at
// concurrency 32; latency one request at a time, so queueing does not hide what the two extra
// hops (HTTP into the relay, WebSocket to the listener) add. With redis-server on the machine,
// also the cross-instance path: the sender reaches instance B, the listener is on instance A,
// and every request and answer crosses Redis pub/sub.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summariseLatencies, webhookHeaders } from '../../dist-bench/internals.js';

const BIN = fileURLToPath(new URL('../../dist/webhooks-cli.cjs', import.meta.url));
const SECRET = 'bench-secret';
const RATE_REQUESTS = Number(process.env.BENCH_RELAY_REQUESTS ?? 4000);
const RATE_CONCURRENCY = 32;
const LATENCY_REQUESTS = Number(process.env.BENCH_RELAY_LATENCY_REQUESTS ?? 1000);

const body = Buffer.from(
  JSON.stringify({
    event: 'customer.cart.added',
    timestamp: '2026-01-01T00:00:00Z',
    data: { customer_id: 'cust_67890', product_id: 'prod_12345', quantity: 1, price: 89.99, currency: 'USD' },
  }),
);
let sequence = 0;

/** One signed POST over a keep-alive agent; resolves with its latency in ms (rejects on non-2xx). */
function post(url, agent) {
  const headers = webhookHeaders({
    event: 'customer.cart.added',
    deliveryId: `dlv_bench_${sequence++}`,
    body,
    secret: SECRET,
    userAgent: 'bench/1',
  });
  headers['content-length'] = String(body.length);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode >= 200 && res.statusCode < 300
          ? resolve(performance.now() - started)
          : reject(new Error(`status ${res.statusCode} from ${url}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measureRate(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: RATE_CONCURRENCY });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RATE_CONCURRENCY }, async () => {
      while (next++ < RATE_REQUESTS) await post(url, agent);
    }),
  );
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
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', CI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
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
    stop: () =>
      new Promise((resolve) => {
        clearTimeout(guard);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A port free a moment ago, for redis-server. */
function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** redis-server on a free loopback port, nothing saved; undefined when it is not installed. */
async function startRedis() {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (c) => ((seen += c), seen.includes('Ready to accept connections') && resolve()));
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${seen}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

// Limits high enough that the bench measures the tunnel, not the limiter.
const RELAY_ARGS = ['--rate-limit', '1000000', '--max-pending', '1000'];

export default async function relayFigures({ rounds }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-relay-'));
  const env = { WEBHOOKS_CONFIG_DIR: dir, WEBHOOKS_DB: join(dir, 'history.db') };
  const crossEnv = { WEBHOOKS_CONFIG_DIR: join(dir, 'cross'), WEBHOOKS_DB: join(dir, 'cross.db') };
  const relay = startCli(['--json', 'relay', '--port', '0', ...RELAY_ARGS], env);
  const redis = await startRedis();
  const started = [relay];
  const results = {
    directRate: [],
    relayRate: [],
    crossRate: [],
    directP50: [],
    relayP50: [],
    crossP50: [],
    directP99: [],
    relayP99: [],
    crossP99: [],
  };
  try {
    const relayUrl = await relay.waitFor(/"listening":"([^"]+)"/);
    const listen = startCli(
      ['listen', '--port', '0', '--no-tui', '--secret', SECRET, '--relay', relayUrl.replace('http', 'ws')],
      env,
    );
    started.push(listen);
    const direct = await listen.waitFor(/listening on (\S+)/);
    const relayed = await listen.waitFor(/public URL (\S+)/);
    let crossed;
    if (redis) {
      const [a, b] = [0, 1].map(() =>
        startCli(['--json', 'relay', '--port', '0', '--redis', redis.url, ...RELAY_ARGS], crossEnv),
      );
      started.push(a, b);
      const [aUrl, bUrl] = await Promise.all([a.waitFor(/"listening":"([^"]+)"/), b.waitFor(/"listening":"([^"]+)"/)]);
      const onA = startCli(
        ['listen', '--port', '0', '--no-tui', '--secret', SECRET, '--relay', aUrl.replace('http', 'ws')],
        crossEnv,
      );
      started.push(onA);
      crossed = bUrl + new URL(await onA.waitFor(/public URL (\S+)/)).pathname;
    }
    const paths = [['direct', direct], ['relay', relayed], ...(crossed ? [['cross', crossed]] : [])];
    // Warm every path (JIT, SQLite pages, sockets) before measuring.
    for (const [, url] of paths) await measureRate(url);
    for (let round = 0; round < rounds; round++) {
      for (const [name, url] of paths) results[`${name}Rate`].push(await measureRate(url));
      for (const [name, url] of paths) {
        const l = await measureLatency(url);
        results[`${name}P50`].push(l.p50);
        results[`${name}P99`].push(l.p99);
      }
    }
  } finally {
    for (const child of started.reverse()) await child.stop();
    redis?.stop();
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
  process.stderr.write(
    `relay: rate ${relayRate.toFixed(0)} vs ${directRate.toFixed(0)} req/s direct; p50 +${addedP50.toFixed(2)} ms, p99 +${addedP99.toFixed(2)} ms\n`,
  );
  const cross = results.crossRate.length
    ? crossRows(median(results.crossRate), median(results.crossP50), median(results.crossP99), {
        directRate,
        directP50,
        directP99,
      })
    : [{ figure: 'relay cross-instance (Redis)', note: 'not measured: redis-server is not installed' }];
  return [
    {
      figure: 'relay end-to-end rate',
      ours: relayRate,
      baseline: directRate,
      unit: 'req/s',
      ratio: relayRate / directRate,
      target: '≥ 0.5× direct',
      met: relayRate >= 0.5 * directRate,
      note: `${RATE_REQUESTS} signed POSTs at concurrency ${RATE_CONCURRENCY}; ${context}`,
    },
    {
      figure: 'relay latency p50',
      ours: relayP50,
      baseline: directP50,
      unit: 'ms',
      ratio: relayP50 / directP50,
      target: '≤ +2 ms',
      met: addedP50 <= 2,
      note: `added ${addedP50.toFixed(2)} ms; ${LATENCY_REQUESTS} sequential requests`,
    },
    {
      figure: 'relay latency p99',
      ours: relayP99,
      baseline: directP99,
      unit: 'ms',
      ratio: relayP99 / directP99,
      note: `added ${addedP99.toFixed(2)} ms`,
    },
    ...cross,
  ];
}

/** Sender → instance B → Redis → instance A → listener, and the answer back the same way. */
function crossRows(rate, p50, p99, { directRate, directP50, directP99 }) {
  process.stderr.write(
    `relay across instances: rate ${rate.toFixed(0)} req/s; p50 +${(p50 - directP50).toFixed(2)} ms, p99 +${(p99 - directP99).toFixed(2)} ms\n`,
  );
  const note = 'sender on instance B, listener on instance A, through a local redis-server';
  return [
    {
      figure: 'relay cross-instance rate',
      ours: rate,
      baseline: directRate,
      unit: 'req/s',
      ratio: rate / directRate,
      target: '≥ 0.4× direct',
      met: rate >= 0.4 * directRate,
      note: `${RATE_REQUESTS} signed POSTs at concurrency ${RATE_CONCURRENCY}; ${note}`,
    },
    {
      figure: 'relay cross-instance latency p50',
      ours: p50,
      baseline: directP50,
      unit: 'ms',
      ratio: p50 / directP50,
      target: '≤ +2 ms',
      met: p50 - directP50 <= 2,
      note: `added ${(p50 - directP50).toFixed(2)} ms; ${LATENCY_REQUESTS} sequential requests`,
    },
    {
      figure: 'relay cross-instance latency p99',
      ours: p99,
      baseline: directP99,
      unit: 'ms',
      ratio: p99 / directP99,
      note: `added ${(p99 - directP99).toFixed(2)} ms`,
    },
  ];
}
