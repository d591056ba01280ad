/**
 * Fuzzing the real `listen` process: random methods, paths, headers, framings and bodies, over raw
 * sockets and node:http. Whatever arrives, the receiver never answers 5xx, never dies, and every
 * answer it gave is in the history once it stopped (same count, same statuses).
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { rawExchange } from './raw-http.js';

const SECRET = 'fuzz-secret';
const MAX_BODY = 16 * 1024;
const SEED = 20261130;
/** Answers node:http gives before a request exists (unparsable bytes, headers too large): recorded without headers. */
const TRANSPORT_STATUSES = new Set([400, 431]);

/** Every HTTP answer the fuzzer got, by status. */
const answered = new Map<number, number>();
const hangs: string[] = [];
/** Each request carries an `x-fuzz-id`: what was sent (for failure messages) and the status it got. */
const sentById = new Map<string, string>();
const answeredById = new Map<string, { status: number }>();
let nextId = 0;
let listener: RunningListener;

function count(status: number): void {
  answered.set(status, (answered.get(status) ?? 0) + 1);
}

beforeAll(async () => {
  listener = await startListen(['--secret', SECRET, '--json', '--max-body', String(MAX_BODY)]);
});

afterAll(async () => {
  if (listener.process.exitCode === null) await listener.stop('SIGKILL');
});

// ---- generators ------------------------------------------------------------------------------

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,24}$/);
/** Framing and connection headers are chosen by the request's framing, not at random. */
const FRAMING = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
  'upgrade',
  'keep-alive',
  'te',
  'trailer',
]);
const headerName = fc.oneof(
  { weight: 3, arbitrary: token.filter((n) => !FRAMING.has(n.toLowerCase())) },
  fc.constantFrom(
    'X-Webhook-Signature',
    'x-webhook-event',
    'X-WEBHOOK-DELIVERY',
    'content-type',
    'user-agent',
    'expect',
    'authorization',
    'cookie',
  ),
);
const bytesOf = (min: number, max: number) =>
  fc.array(fc.integer({ min, max }), { maxLength: 60 }).map((c) => Buffer.from(c).toString('latin1'));
/** Values node:http will send: visible ASCII, tabs, obs-text (bytes 0x80-0xff). */
const sendableValue = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, '?')),
  bytesOf(0x20, 0xff).map((s) => s.replace(/\x7f/g, '?')),
  fc.constantFrom(
    '',
    ' ',
    'sha256=',
    'sha256=zz',
    `sha256=${'a'.repeat(64)}`,
    'application/json',
    'text/plain; charset=latin1',
    '100-continue',
    'dlv_1',
    '\t',
  ),
);
const header = fc.tuple(headerName, sendableValue);

const method = fc.oneof(
  fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  fc.stringMatching(/^[A-Z]{1,8}$/).filter((m) => m !== 'CONNECT'),
);
const path = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '/webhook',
      '/webhook?x=1',
      '/webhook/',
      '/',
      '//webhook',
      '/WEBHOOK',
      '/webhook%00',
      '/%ZZ',
      '/webhook#f',
    ),
  },
  fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
);

const envelope = fc.record({
  event: fc.constantFrom('customer.cart.added', 'catalog.product.created', 'nope'),
  data: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
});
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
  fc.constantFrom(
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from('{"event":"\xc3\x28"}', 'latin1'),
    Buffer.from('{"event": 1}'),
    Buffer.from('[]'),
    Buffer.from('null'),
  ),
  envelope.map((e) => Buffer.from(JSON.stringify(e))),
  // Around the size limit.
  fc.integer({ min: MAX_BODY - 3, max: MAX_BODY + 3 }).map((n) => Buffer.alloc(n, 0x7b)),
);

interface FuzzRequest {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer;
  /** Add a correct signature (otherwise whatever the headers say). */
  signed: boolean;
}
const request: fc.Arbitrary<FuzzRequest> = fc.record({
  method,
  path,
  headers: fc.array(header, { maxLength: 8 }),
  body,
  signed: fc.boolean(),
});

function signature(b: Buffer): string {
  return `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}`;
}

function withSignature(r: FuzzRequest, id: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [['x-fuzz-id', id], ...r.headers];
  return r.signed
    ? [...headers, ['X-Webhook-Signature', signature(r.body)], ['X-Webhook-Delivery', `dlv_fuzz_${r.body.length}`]]
    : headers;
}

function summary(r: FuzzRequest): string {
  return JSON.stringify({ ...r, body: `${r.body.length} bytes` }).slice(0, 600);
}

// ---- raw socket requests -----------------------------------------------------------------------

type Framing =
  | 'length'
  | 'none'
  | 'chunked'
  | 'chunked-bad-size'
  | 'chunked-no-crlf'
  | 'length-and-chunked'
  | 'two-lengths'
  | 'bad-length';
interface RawRequestSpec extends FuzzRequest {
  framing: Framing;
  version: string;
  lineEnd: string;
  /** Extra headers only raw bytes can carry: odd names, control characters, folding, a huge one. */
  oddHeaders: string[];
  split: number[];
}

const HUGE = 'x-huge-header-of-length:';
const expandHuge = (h: string) => (h.startsWith(HUGE) ? `x-huge: ${'h'.repeat(Number(h.slice(HUGE.length)))}` : h);
const oddHeader = fc.oneof(
  fc.constantFrom(
    'bad header: x',
    'X-Webhook-Event : spaced',
    ': empty-name',
    'x-nul: a\x00b',
    'x-bell: \x07',
    'x-fold: a\r\n  folded',
    'x-utf8: caf\xc3\xa9',
    'no-colon-here',
    'x-dup: 1',
    'x-dup: 2',
  ),
  fc.tuple(token, bytesOf(0, 0xff)).map(([n, v]) => `${n}: ${v.replace(/[\r\n]/g, '')}`),
  // Expanded when the bytes are built, so a counterexample stays readable.
  fc.integer({ min: 60_000, max: 70_000 }).map((n) => `${HUGE}${n}`),
);
const rawRequest: fc.Arbitrary<RawRequestSpec> = fc.record({
  method: fc.oneof(method, fc.constantFrom('post', 'P@ST', 'GET /x')),
  path: fc.oneof(path, fc.constantFrom('*', 'http://127.0.0.1/webhook', '/web hook', '/caf\xc3\xa9', '/webhook?\x01')),
  headers: fc.array(header, { maxLength: 8 }),
  body,
  signed: fc.boolean(),
  framing: fc.constantFrom<Framing>(
    'length',
    'length',
    'length',
    'none',
    'chunked',
    'chunked',
    'chunked-bad-size',
    'chunked-no-crlf',
    'length-and-chunked',
    'two-lengths',
    'bad-length',
  ),
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'http/1.1', 'HTTP/1.1 extra'),
  lineEnd: fc.constantFrom('\r\n', '\r\n', '\r\n', '\n'),
  oddHeaders: fc.array(oddHeader, { maxLength: 2 }),
  split: fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 3 }),
});

/** The request's bytes; every framing is complete, so an answer is due without waiting. */
function rawBytes(r: RawRequestSpec, id: string): Buffer {
  const { body: b, lineEnd: nl } = r;
  const lines = [`${r.method} ${r.path} ${r.version}`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of withSignature(r, id)) lines.push(`${name}: ${value}`);
  lines.push(...r.oddHeaders.map(expandHuge));
  let payload = b;
  const framing = r.framing === 'none' && b.length > 0 ? 'length' : r.framing;
  if (framing === 'length') lines.push(`Content-Length: ${b.length}`);
  if (framing === 'two-lengths') lines.push(`Content-Length: ${b.length}`, `Content-Length: ${b.length + 1}`);
  if (framing === 'bad-length') lines.push(`Content-Length: ${b.length}x`);
  if (framing === 'length-and-chunked') lines.push(`Content-Length: ${b.length}`, 'Transfer-Encoding: chunked');
  if (framing.startsWith('chunked') || framing === 'length-and-chunked') {
    if (framing !== 'length-and-chunked') lines.push('Transfer-Encoding: chunked');
    const size = framing === 'chunked-bad-size' ? 'zz' : b.length.toString(16);
    const tail = framing === 'chunked-no-crlf' ? 'XX' : '\r\n';
    payload = Buffer.concat([Buffer.from(`${size}\r\n`), b, Buffer.from(`${tail}0\r\n\r\n`)]);
    if (b.length === 0 && framing === 'chunked') payload = Buffer.from('0\r\n\r\n');
  }
  return Buffer.concat([Buffer.from(lines.join(nl) + nl + nl, 'latin1'), payload]);
}

function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let rest = bytes;
  for (const cut of cuts) {
    if (cut >= rest.length) break;
    pieces.push(rest.subarray(0, cut));
    rest = rest.subarray(cut);
  }
  return [...pieces, rest];
}

async function sendRaw(r: RawRequestSpec): Promise<number[]> {
  const id = String(nextId++);
  sentById.set(
    id,
    'raw ' +
      summary(r) +
      JSON.stringify(r.oddHeaders.map((h) => h.slice(0, 40))) +
      r.framing +
      r.version +
      JSON.stringify(r.lineEnd),
  );
  const exchange = await rawExchange(listener.port, splitAt(rawBytes(r, id), r.split), {
    headRequest: r.method === 'HEAD',
  });
  if (exchange.timedOut)
    hangs.push(
      JSON.stringify({ ...r, body: `${r.body.length} bytes`, oddHeaders: r.oddHeaders.map((h) => h.slice(0, 40)) }),
    );
  expect(exchange.garbage).toBe('');
  exchange.answers.forEach((a) => count(a.status));
  if (exchange.answers.length === 1) answeredById.set(id, { status: exchange.answers[0]!.status });
  return exchange.answers.map((a) => a.status);
}

// ---- node:http requests ----------------------------------------------------------------------

function sendWithNodeHttp(r: FuzzRequest & { chunked: boolean }): Promise<number | null> {
  const id = String(nextId++);
  sentById.set(id, `node ${summary(r)}`);
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: '127.0.0.1',
        port: listener.port,
        method: r.method,
        path: r.path,
        agent: false,
        setHost: true,
      });
      // Duplicates are kept: node:http sends each setHeader array item as its own line.
      const byName = new Map<string, string[]>();
      for (const [name, value] of withSignature(r, id))
        byName.set(name.toLowerCase(), [...(byName.get(name.toLowerCase()) ?? []), value]);
      for (const [name, values] of byName) req.setHeader(name, values);
      if (!r.chunked) req.setHeader('content-length', r.body.length);
    } catch {
      return resolve(null); // node:http refused to send it (an invalid header): nothing reached the server.
    }
    req.on('response', (res) => {
      count(res.statusCode!);
      answeredById.set(id, { status: res.statusCode! });
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
      res.on('error', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve(null));
    req.setTimeout(5_000, () => {
      hangs.push(`node:http ${r.method} ${r.path}`);
      req.destroy();
    });
    if (r.chunked && r.body.length > 0) {
      req.write(r.body.subarray(0, r.body.length >> 1));
      req.write(r.body.subarray(r.body.length >> 1));
    }
    req.end(r.chunked ? undefined : r.body);
  });
}

// ---- the run -----------------------------------------------------------------------------------

describe('listen under fuzzed requests', () => {
  it('answers raw socket requests without a 5xx, and keeps running', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawRequest, { minLength: 1, maxLength: 6 }), async (batch) => {
        const statuses = (await Promise.all(batch.map(sendRaw))).flat();
        expect(statuses.filter((s) => s >= 500)).toEqual([]);
        expect(listener.process.exitCode).toBe(null);
      }),
      { seed: SEED, numRuns: 600, endOnFailure: true },
    );
    expect(hangs).toEqual([]);
  });

  it('answers node:http requests without a 5xx, and keeps running', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ r: request, chunked: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        async (batch) => {
          const statuses = await Promise.all(batch.map(({ r, chunked }) => sendWithNodeHttp({ ...r, chunked })));
          expect(statuses.filter((s) => s !== null && s >= 500)).toEqual([]);
          expect(listener.process.exitCode).toBe(null);
        },
      ),
      { seed: SEED + 1, numRuns: 600, endOnFailure: true },
    );
    expect(hangs).toEqual([]);
  });

  it('still verifies a good delivery, then records every answer it gave when stopped', async () => {
    const good = Buffer.from(
      JSON.stringify({ event: 'customer.cart.added', timestamp: new Date().toISOString(), data: {} }),
    );
    const res = await fetch(listener.url, {
      method: 'POST',
      body: good,
      headers: {
        'content-type': 'application/json',
        'x-webhook-signature': signature(good),
        'x-webhook-delivery': 'dlv_after_fuzz',
      },
    });
    expect(res.status).toBe(200);
    count(200);

    const result = await listener.stop();
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
    const total = [...answered.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(500);
    const store = HistoryStore.open(listener.dbPath);
    let rows;
    try {
      rows = store.list({ direction: 'in', limit: 1_000_000 }).map((row) => store.get(row.id)!);
    } finally {
      store.close();
    }
    const histogram = (statuses: number[]) =>
      statuses.reduce<Record<number, number>>((h, s) => ({ ...h, [s]: (h[s] ?? 0) + 1 }), {});
    const recorded = histogram(rows.map((row) => row.status ?? -1));
    // Every status answered is recorded at least as often.
    const short = [...answered].filter(([status, n]) => (recorded[status] ?? 0) < n);
    expect(short.map(([status, n]) => `${status}: answered ${n}, recorded ${recorded[status] ?? 0}`)).toEqual([]);
    // Each request the receiver itself answered is recorded once, with its own headers and that status.
    const byId = new Map<string, number[]>();
    for (const row of rows) {
      const id = row.requestHeaders['x-fuzz-id'];
      if (typeof id === 'string') byId.set(id, [...(byId.get(id) ?? []), row.status ?? -1]);
    }
    const notRecorded = [...answeredById].filter(
      ([id, a]) => byId.get(id)?.[0] !== a.status && !TRANSPORT_STATUSES.has(a.status),
    );
    expect(notRecorded.map(([id, a]) => `${a.status} ${sentById.get(id)}`)).toEqual([]);
    expect([...byId].filter(([, statuses]) => statuses.length > 1)).toEqual([]);
    // Recorded without its answer arriving: only a request followed by unparsable bytes on the same
    // connection (node:http sends a GET's body unframed), whose 400 went out first and is recorded too.
    const overtaken = [...byId].filter(([id, [status]]) => answeredById.get(id)?.status !== status);
    expect(overtaken.map(([id]) => answeredById.get(id)?.status)).toEqual(overtaken.map(() => 400));
    // Beyond those, only rows of answers node gave before a request existed (400, 431, 408: no
    // request, so no id) to a client that closed without reading them: recorded, never read.
    const unread = rows.length - total - overtaken.length;
    expect(unread).toBeGreaterThanOrEqual(0);
    const idless = rows.filter(
      (row) => typeof row.requestHeaders['x-fuzz-id'] !== 'string' && row.deliveryId !== 'dlv_after_fuzz',
    );
    expect(idless.length).toBeGreaterThanOrEqual(unread);
    expect(
      idless
        .filter((row) => row.method !== '?' || !(TRANSPORT_STATUSES.has(row.status ?? -1) || row.status === 408))
        .map((row) => `${row.method} ${row.status}`),
    ).toEqual([]);
    // And each record was shown as a JSON line on stdout.
    const shown = result.stdout
      .split('\n')
      .filter((l) => l.includes('"type":"request"'))
      .map((l) => (JSON.parse(l) as { status: number }).status);
    expect(histogram(shown)).toEqual(recorded);
  });
});
