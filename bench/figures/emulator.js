// Delivery engine throughput: 10,000 events emitted to one webhook and delivered by the emulator's
// engine (SQLite queue, signing, one attempt record per delivery), against a plain undici loop
// sending the same signed requests with the same concurrency, in the same run. The endpoint runs
// in a child process and counts distinct delivery ids, so "zero lost" is checked at the receiver.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import {
  DEFAULT_CONCURRENCY,
  DeliveryEngine,
  EmulatorStore,
  loadSampleEnvelope,
  newDeliveryId,
  serialiseEnvelope,
  WebhookService,
  webhookHeaders,
  webhookTimestamp,
} from '../../dist-bench/internals.js';

const EVENTS = 10_000;
const EVENT = 'customer.cart.added';
const SECRET = 'bench-secret';
const USER_AGENT = 'webhooks-cli-bench/1';

const ENDPOINT = `
const http = require('node:http');
const seen = new Set();
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { seen.add(req.headers['x-webhook-delivery']); res.writeHead(200, { 'content-length': '2' }); res.end('OK'); });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count: seen.size });
  if (m === 'reset') { seen.clear(); process.send({ count: 0 }); }
  if (m === 'exit') process.exit(0);
});
`;

function startEndpoint() {
  const child = fork('-e', [ENDPOINT], { execArgv: ['-e', ENDPOINT], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ask = (message) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(message);
    });
  return new Promise((resolve) =>
    child.once('message', ({ port }) =>
      resolve({
        url: `http://127.0.0.1:${port}/webhook`,
        count: async () => (await ask('count')).count,
        reset: () => ask('reset'),
        stop: () => child.send('exit'),
      }),
    ),
  );
}

async function engineRun(endpointUrl, events = EVENTS) {
  const dir = mkdtempSync(join(tmpdir(), 'webhooks-bench-'));
  const store = EmulatorStore.open(join(dir, 'emulator.db'));
  let delivered = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const engine = new DeliveryEngine(store, {
    timeScale: 1,
    userAgent: USER_AGENT,
    onAttempt: (a) => {
      if (a.succeeded && ++delivered === events) done();
    },
  });
  const service = new WebhookService(store, engine);
  service.create({ url: endpointUrl, events: [EVENT], secret: SECRET });
  engine.start();
  const data = loadSampleEnvelope(EVENT).data;
  const started = performance.now();
  // Events arrive over time, as from the API: 500 at a time, each batch written before the next.
  for (let i = 0; i < events; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(events, i + 500); j++) batch.push(service.emitEvent(EVENT, data));
    await Promise.all(batch);
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const pending = store.pendingCount();
  await engine.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { rate: events / seconds, delivered, pending };
}

async function undiciLoop(endpointUrl, events = EVENTS) {
  const agent = new Agent({ connections: DEFAULT_CONCURRENCY, keepAliveTimeout: 10_000 });
  const data = loadSampleEnvelope(EVENT).data;
  let next = 0;
  let ok = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < events) {
      next++;
      const body = serialiseEnvelope({ event: EVENT, timestamp: webhookTimestamp(), data });
      const headers = webhookHeaders({
        event: EVENT,
        deliveryId: newDeliveryId(),
        body,
        secret: SECRET,
        userAgent: USER_AGENT,
      });
      const res = await request(endpointUrl, {
        method: 'POST',
        headers,
        body,
        dispatcher: agent,
        signal: AbortSignal.timeout(10_000),
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) ok++;
    }
  };
  await Promise.all(Array.from({ length: DEFAULT_CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return { rate: events / seconds, delivered: ok };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function measure({ rounds }) {
  const endpoint = await startEndpoint();
  const ours = [];
  const baseline = [];
  const lost = [];
  try {
    // Warm both paths up (JIT, connections, SQLite page cache) before measuring either.
    await engineRun(endpoint.url, 2_000);
    await undiciLoop(endpoint.url, 2_000);
    for (let round = 0; round < rounds; round++) {
      await endpoint.reset();
      const engine = await engineRun(endpoint.url);
      const received = await endpoint.count();
      lost.push(EVENTS - received + engine.pending);
      ours.push(engine.rate);
      await endpoint.reset();
      const loop = await undiciLoop(endpoint.url);
      if ((await endpoint.count()) !== EVENTS || loop.delivered !== EVENTS)
        throw new Error('the baseline loop lost requests');
      baseline.push(loop.rate);
      process.stderr.write(
        `  round ${round + 1}: engine ${engine.rate.toFixed(0)} events/s (${received} received, ${engine.pending} pending), undici loop ${loop.rate.toFixed(0)} req/s\n`,
      );
    }
  } finally {
    endpoint.stop();
  }
  const o = median(ours);
  const b = median(baseline);
  const maxLost = Math.max(...lost);
  return [
    {
      figure: `emulator delivery engine, ${EVENTS} events to one endpoint (median of ${rounds})`,
      ours: o,
      baseline: b,
      unit: 'events/s',
      ratio: o / b,
      target: '≥ 0.5×',
      met: o / b >= 0.5,
      note: `baseline: plain undici loop, same signed requests, concurrency ${DEFAULT_CONCURRENCY}`,
    },
    {
      figure: 'emulator deliveries lost (received distinct ids vs emitted)',
      ours: maxLost,
      baseline: 0,
      unit: 'events',
      ratio: undefined,
      target: '0',
      met: maxLost === 0,
      note: 'counted at the receiving endpoint',
    },
  ];
}
