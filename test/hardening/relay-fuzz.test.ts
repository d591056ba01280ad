/**
 * Fuzzing the tunnel end to end: random requests to a `relay`'s public URL, carried to a
 * `listen --relay` process. No 5xx (nothing is slow or disconnected here), the listener's answers
 * come back whole, and each one it gave is in its history (source relay). Twice: through one
 * relay, and through two relay instances on a real redis-server (sender on B, listener on A).
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { BIN, isolatedEnv, tempDir } from '../helpers/cli.js';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { skipWithout } from '../helpers/required-program.js';

const SECRET = 'relay-fuzz-secret';
const MAX_BODY = 16 * 1024;
/** Every method the fuzzer sends crosses the tunnel; no rate limit gets in the way. */
const RELAY_ARGS = ['--methods', 'POST,GET,PUT,DELETE,PATCH,OPTIONS', '--rate-limit', '100000'];

interface Setup {
  relays: RelayProcess[];
  redis?: RedisServer;
  listen: ResultPromise<{ reject: false }>;
  /** Where the fuzzer sends: the listener's public URL, on the instance the listener is not on. */
  publicUrl: string;
  configDir: string;
}

async function setUp(withRedis: boolean): Promise<Setup> {
  const redis = withRedis ? await startRedisServer() : undefined;
  const extra = redis ? ['--redis', redis.url] : [];
  const relays = await Promise.all((redis ? [0, 1] : [0]).map(() => startRelayProcess(0, [...RELAY_ARGS, ...extra])));
  const configDir = tempDir();
  const listen = execa(
    process.execPath,
    [
      BIN,
      '--json',
      'listen',
      '--port',
      '0',
      '--secret',
      SECRET,
      '--max-body',
      String(MAX_BODY),
      '--relay',
      relays[0]!.wsUrl,
    ],
    {
      reject: false,
      env: isolatedEnv(configDir),
      extendEnv: true,
      timeout: 120_000,
    },
  ) as ResultPromise<{ reject: false }>;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    listen.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"publicUrl":"([^"]+)","state":"connected"/.exec(out);
      if (match) resolve(match[1]!);
    });
    void listen.then((r) => reject(new Error(`listen exited early: ${r.stderr}`)));
  });
  const sender = relays[relays.length - 1]!;
  return { relays, redis, listen, configDir, publicUrl: sender.url + new URL(url).pathname };
}

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/);
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'proxy-connection',
]);
const value = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, '?')),
  fc
    .array(fc.integer({ min: 0x20, max: 0xff }), { maxLength: 30 })
    .map((c) => Buffer.from(c.filter((b) => b !== 0x7f)).toString('latin1')),
  fc.constantFrom('', 'application/json', 'sha256=zz', '100-continue'),
);
const header = fc.tuple(
  fc.oneof(
    token.filter((n) => !HOP_BY_HOP.has(n.toLowerCase())),
    fc.constantFrom('x-webhook-signature', 'x-webhook-event', 'x-webhook-delivery', 'content-type', 'cookie', 'expect'),
  ),
  value,
);
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify({ event: 'customer.cart.added', data: v }))),
  fc.integer({ min: MAX_BODY - 2, max: MAX_BODY + 2 }).map((n) => Buffer.alloc(n, 0x20)),
);
const request = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  suffix: fc.oneof(
    fc.constantFrom('', '/', '?x=1', '/deeper/path', '/%ZZ', '/caf%C3%A9'),
    fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  ),
  headers: fc.array(header, { maxLength: 6 }),
  body,
  signed: fc.boolean(),
});

interface Answer {
  status: number;
  relayError: boolean;
}

function send(
  publicUrl: string,
  r: { method: string; suffix: string; headers: Array<[string, string]>; body: Buffer; signed: boolean },
): Promise<Answer | null> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request(publicUrl + r.suffix, { method: r.method, agent: false });
      const byName = new Map<string, string[]>();
      for (const [name, v] of r.headers) byName.set(name.toLowerCase(), [...(byName.get(name.toLowerCase()) ?? []), v]);
      if (r.signed)
        byName.set('x-webhook-signature', [`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`]);
      for (const [name, values] of byName) req.setHeader(name, values);
      req.setHeader('content-length', r.body.length);
    } catch {
      return resolve(null);
    }
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, relayError: res.headers['x-relay-error'] !== undefined }));
    });
    req.on('error', () => resolve(null));
    req.setTimeout(10_000, () => req.destroy());
    req.end(r.body);
  });
}

const redisMissing = skipWithout('redis-server', ['--version']);

describe.each([
  { name: 'one relay', withRedis: false },
  { name: 'two relay instances on Redis', withRedis: true },
])('relay and listen --relay under fuzzed requests ($name)', ({ withRedis }) => {
  let setup: Setup;
  beforeAll(async () => {
    if (withRedis && redisMissing) return;
    setup = await setUp(withRedis);
  });
  afterAll(async () => {
    setup?.listen.kill('SIGKILL');
    await Promise.all(setup?.relays.map((r) => r.stop('SIGKILL')) ?? []);
    await setup?.redis?.stop();
  });

  it.skipIf(withRedis && redisMissing)(
    'carries every request and answer, without a 5xx, and the listener records each',
    async () => {
      const { listen, configDir, publicUrl, relays } = setup;
      // On Redis, the instance the fuzzer reaches holds no listener: every request crosses Redis.
      if (withRedis)
        expect(((await (await fetch(`${relays[1]!.url}/healthz`)).json()) as { connected: number }).connected).toBe(0);
      const answers: Answer[] = [];
      await fc.assert(
        fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 6 }), async (batch) => {
          const got = await Promise.all(batch.map((r) => send(publicUrl, r)));
          for (const a of got) if (a) answers.push(a);
          expect(got.filter((a) => a && a.status >= 500)).toEqual([]);
        }),
        { seed: 20261130, numRuns: 300, endOnFailure: true },
      );
      expect(answers.length).toBeGreaterThan(300);
      for (const relay of relays) expect(relay.stderr()).not.toMatch(/\n\s+at /);

      listen.kill('SIGTERM');
      const stopped = await listen;
      expect(stopped.exitCode).toBe(0);
      expect(stopped.stderr).not.toMatch(/\n\s+at |warning/);
      const store = HistoryStore.open(join(configDir, 'history.db'));
      try {
        const recorded = store.list({ direction: 'in', limit: 100_000 });
        expect(recorded.every((r) => r.source === 'relay')).toBe(true);
        // The relay's own answers (an X-Relay-Error) never reached the listener; all others are recorded.
        const fromListener = answers.filter((a) => !a.relayError);
        const histogram = (statuses: Array<number | null>) =>
          statuses.reduce<Record<string, number>>((h, s) => ({ ...h, [String(s)]: (h[String(s)] ?? 0) + 1 }), {});
        expect(histogram(recorded.map((r) => r.status))).toEqual(histogram(fromListener.map((a) => a.status)));
      } finally {
        store.close();
      }
    },
  );
});
