/**
 * What a sender gets back from the relay for a listener's answer, read as raw bytes off the
 * socket: only final statuses (an interim one is a 502 with its reason, and pipelined answers stay
 * in step), no content and no Content-Length where RFC 9110 says so, only the allowlisted headers
 * (the rest dropped and counted), and status lines whose reason phrase matches the status. The
 * listener is a bare WebSocket that answers however the test says (test/helpers/raw-tunnel-listener.ts).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayOptions } from '../../src/relay/relay-options.js';
import { RelayServer } from '../../src/relay/relay-server.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { connectRawListener, type RawAnswer } from '../helpers/raw-tunnel-listener.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startRelay(options: Partial<RelayOptions> = {}): Promise<RelayServer> {
  const relay = await RelayServer.start({ host: '127.0.0.1', port: 0, methods: ['POST', 'HEAD'], ...options });
  cleanups.push(() => relay.close());
  return relay;
}

/** A relay and a listener on it answering each request with `answer(index)`; the channel's path. */
async function relayWith(answer: (index: number, method: string) => RawAnswer) {
  const relay = await startRelay();
  let index = 0;
  const listener = await connectRawListener(relay.url.replace('http', 'ws'), (request) =>
    answer(index++, request.method),
  );
  cleanups.push(() => listener.close());
  return { relay, path: new URL(listener.publicUrl).pathname };
}

/** Writes `requests` back to back on one connection (the last one asks to close it) and reads until it closes. */
function pipelined(port: number, path: string, requests: Array<{ method?: string; body?: string }>): Promise<string> {
  const text = requests
    .map(({ method = 'POST', body = '{}' }, i) =>
      [
        `${method} ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        ...(i === requests.length - 1 ? ['Connection: close'] : []),
        '',
        body,
      ].join('\r\n'),
    )
    .join('');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 5 s; received:\n${Buffer.concat(chunks).toString('latin1')}`));
    }, 5_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

const statusLines = (raw: string) => raw.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];

/** The head (status line and headers, lower-case names) of the first answer in `raw`. */
function head(raw: string): { statusLine: string; headers: Record<string, string> } {
  const [statusLine = '', ...lines] = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 2);
  return { statusLine, headers };
}

const ok = (body = 'ok'): RawAnswer => ({ status: 200, headers: {}, body: Buffer.from(body) });

describe("the listener's answer as the sender gets it", () => {
  it('turns an interim (1xx) answer into a 502 with its reason, keeping pipelined answers in step', async () => {
    const statuses = [103, 200, 100, 200, 101, 200];
    const { relay, path } = await relayWith((i) =>
      statuses[i] === 200 ? ok(`answer ${i}`) : { status: statuses[i]!, headers: {}, body: Buffer.alloc(0) },
    );
    const raw = await pipelined(
      relay.port,
      path,
      statuses.map(() => ({})),
    );
    expect(statusLines(raw)).toEqual([
      'HTTP/1.1 502 Bad Gateway',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 502 Bad Gateway',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 502 Bad Gateway',
      'HTTP/1.1 200 OK',
    ]);
    expect(raw).toContain('answer 1');
    expect(raw).toContain('answer 5');
    expect(raw).toContain(
      '{"error":{"code":"bad_answer","message":"the listener answered 103, an interim status; only a final status (200-599) can answer a request"}}',
    );
  });

  it('answers 502 for a status no HTTP answer has', async () => {
    const statuses = [99, 600, 0];
    const { relay, path } = await relayWith((i) => ({ status: statuses[i]!, headers: {}, body: Buffer.from('x') }));
    const raw = await pipelined(
      relay.port,
      path,
      statuses.map(() => ({})),
    );
    expect(statusLines(raw)).toEqual(Array(3).fill('HTTP/1.1 502 Bad Gateway'));
    expect(raw).toContain('the listener answered 600, which is not an HTTP status');
  });

  it('sends no content and no Content-Length with 204, 304 and answers to HEAD; an empty one with 205', async () => {
    const answers: RawAnswer[] = [
      { status: 204, headers: { 'content-type': 'text/plain' }, body: Buffer.from('not sent') },
      { status: 304, headers: {}, body: Buffer.alloc(0) },
      { status: 205, headers: {}, body: Buffer.from('not sent either') },
      { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(0) },
      ok('after them'),
    ];
    const { relay, path } = await relayWith((i) => answers[i]!);
    const raw = await pipelined(relay.port, path, [{}, {}, {}, { method: 'HEAD', body: '' }, {}]);
    const parts = raw.split(/(?=HTTP\/1\.1 )/);
    expect(parts.map((part) => head(part).statusLine)).toEqual([
      'HTTP/1.1 204 No Content',
      'HTTP/1.1 304 Not Modified',
      'HTTP/1.1 205 Reset Content',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
    ]);
    for (const bodiless of [parts[0]!, parts[1]!, parts[3]!]) {
      expect(head(bodiless).headers['content-length']).toBeUndefined();
      expect(head(bodiless).headers['transfer-encoding']).toBeUndefined();
      expect(bodiless.endsWith('\r\n\r\n')).toBe(true);
    }
    expect(head(parts[2]!).headers['content-length']).toBe('0');
    expect(parts[2]!.endsWith('\r\n\r\n')).toBe(true);
    expect(parts[4]!.endsWith('\r\n\r\nafter them')).toBe(true);
    expect(raw).not.toContain('not sent');
  });

  it("writes the relay's own 502 with its own reason phrase when the listener's header cannot be sent", async () => {
    const { relay, path } = await relayWith(() => ({
      status: 200,
      headers: { 'content-type': 'text/plain\u0001' },
      body: Buffer.from('x'),
    }));
    const raw = await pipelined(relay.port, path, [{}]);
    expect(head(raw).statusLine).toBe('HTTP/1.1 502 Bad Gateway');
    expect(head(raw).headers['x-relay-error']).toBe('bad_answer');
  });

  it('passes only the allowlisted headers; the others are dropped and counted in /metrics', async () => {
    const { relay, path } = await relayWith(() => ({
      status: 401,
      headers: {
        'Content-Type': 'application/json',
        'content-language': 'en',
        'retry-after': '30',
        'x-request-id': 'req_42',
        'set-cookie': ['session=stolen; Domain=relay.example.com', 'b=2'],
        location: 'https://evil.example/',
        refresh: '0; url=https://evil.example/',
        'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
        'clear-site-data': '"*"',
        'access-control-allow-origin': '*',
        'access-control-allow-credentials': 'true',
        'www-authenticate': 'Basic realm="relay"',
        'alt-svc': 'h2="evil.example:443"',
        link: '</x.js>; rel=preload',
        'content-security-policy': 'default-src *',
        'x-relay-error': 'forged',
        'x-app': 'teapot',
      },
      body: Buffer.from('{"error":"bad signature"}'),
    }));
    const raw = await pipelined(relay.port, path, [{}]);
    const { statusLine, headers } = head(raw);
    expect(statusLine).toBe('HTTP/1.1 401 Unauthorized');
    const passed = Object.keys(headers).filter((name) => !['date', 'connection', 'content-length'].includes(name));
    expect(passed.sort()).toEqual([
      'content-language',
      'content-security-policy',
      'content-type',
      'retry-after',
      'x-content-type-options',
      'x-request-id',
    ]);
    expect(headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(headers['content-type']).toBe('application/json');
    expect(raw.endsWith('{"error":"bad signature"}')).toBe(true);

    const scrape = parsePrometheusText(await (await fetch(`${relay.url}/metrics`)).text());
    const dropped = (header: string) => scrape.value('relay_answer_headers_dropped_total', { header });
    expect(dropped('set-cookie')).toBe(1);
    expect(dropped('location')).toBe(1);
    expect(dropped('strict-transport-security')).toBe(1);
    expect(dropped('refresh')).toBe(1);
    expect(dropped('clear-site-data')).toBe(1);
    expect(dropped('www-authenticate')).toBe(1);
    expect(dropped('access-control-*')).toBe(2);
    // alt-svc, link, the listener's own content-security-policy and x-relay-error, x-app.
    expect(dropped('other')).toBe(5);
  });
});
