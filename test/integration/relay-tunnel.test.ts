/**
 * The relay server and the tunnel client together, in-process, over real loopback HTTP and
 * WebSockets; the listener is a small RequestHandler of the test's own.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sendRequest } from '../../src/delivery/http-sender.js';
import type { RawRequest, RawResponse, RequestHandler } from '../../src/receiver/raw-exchange.js';
import type { RelayOptions } from '../../src/relay/relay-options.js';
import { RelayServer } from '../../src/relay/relay-server.js';
import { decodeFrame, encodeFrame } from '../../src/tunnel/frame-codec.js';
import {
  type ChannelCredentials,
  TunnelClient,
  type TunnelClientOptions,
  type TunnelStatus,
} from '../../src/tunnel/tunnel-client.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startRelay(options: Partial<RelayOptions> = {}): Promise<RelayServer> {
  const relay = await RelayServer.start({ host: '127.0.0.1', port: 0, ...options });
  cleanups.push(() => relay.close());
  return relay;
}

interface Connected {
  client: TunnelClient;
  statuses: TunnelStatus[];
  publicUrl: string;
  credentials: ChannelCredentials | undefined;
}

function openClient(relayUrl: string, handler: RequestHandler, extra: Partial<TunnelClientOptions> = {}) {
  const statuses: TunnelStatus[] = [];
  let credentials: ChannelCredentials | undefined;
  const client = new TunnelClient({
    relayUrl,
    handler,
    reconnectDelaysMs: [0, 50, 100],
    onStatus: (s) => statuses.push(s),
    onCredentials: (c) => (credentials = c),
    ...extra,
  });
  cleanups.push(() => client.stop(200));
  client.start();
  return { client, statuses, credentials: () => credentials };
}

async function connect(
  relayUrl: string,
  handler: RequestHandler,
  extra: Partial<TunnelClientOptions> = {},
): Promise<Connected> {
  const opened = openClient(relayUrl, handler, extra);
  await until(() => opened.client.status().state === 'connected');
  return {
    client: opened.client,
    statuses: opened.statuses,
    publicUrl: opened.client.status().publicUrl!,
    credentials: opened.credentials(),
  };
}

function post(url: string, body: Uint8Array | string = '{}', headers: Record<string, string> = {}) {
  return sendRequest({
    url,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    headers: { 'content-type': 'application/json', ...headers },
    timeoutMs: 5_000,
  });
}

const answer = (status: number, body = 'ok', headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers,
  body: Buffer.from(body),
});
const wsUrl = (relay: RelayServer) => relay.url.replace('http', 'ws');

describe('relay and tunnel client', () => {
  it("passes a request through with its bytes untouched and returns the listener's real answer", async () => {
    const relay = await startRelay();
    const seen: RawRequest[] = [];
    const { publicUrl, credentials } = await connect(
      wsUrl(relay),
      async (req) => {
        seen.push(req);
        return {
          status: 418,
          headers: { 'x-app': 'teapot', 'set-cookie': ['a=1', 'b=2'] },
          body: Buffer.from([0xff, 0x00, 0x7b]),
        };
      },
      { localPath: '/webhook' },
    );

    expect(publicUrl).toMatch(new RegExp(`^${relay.url}/ch_[A-Za-z0-9_-]{22}$`));
    expect(credentials?.channel).toBe(publicUrl.split('/').pop());
    const body = Buffer.from('{ "event":"catalog.product.created",\n "data": {"price": 89.990} }');
    const result = await post(`${publicUrl}?attempt=2`, body, {
      'x-webhook-signature': 'sha256=abc',
      'x-webhook-delivery': 'dlv_1',
    });

    expect(result.status).toBe(418);
    // Only allowlisted headers reach the sender (test/integration/relay-answers.test.ts has the list).
    expect(result.headers?.['x-app']).toBeUndefined();
    expect(result.headers?.['set-cookie']).toBeUndefined();
    expect(result.headers?.['x-relay-error']).toBeUndefined();
    expect(result.body).toEqual(Buffer.from([0xff, 0x00, 0x7b]));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body.equals(body)).toBe(true);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/webhook?attempt=2',
      via: 'relay',
      remoteAddress: '127.0.0.1',
    });
    expect(seen[0]!.headers['x-webhook-signature']).toBe('sha256=abc');
    expect(seen[0]!.headers['x-webhook-delivery']).toBe('dlv_1');
  });

  it('carries a body of exactly the size limit both ways, byte for byte', async () => {
    const relay = await startRelay();
    const { publicUrl } = await connect(wsUrl(relay), async (req) => ({
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: req.body,
    }));
    const bytes = randomBytes(1024 * 1024);
    const response = await fetch(publicUrl, { method: 'POST', body: bytes });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('hands out public URLs under --public-url', async () => {
    const relay = await startRelay({ publicUrl: 'https://relay.example.com/' });
    const { publicUrl } = await connect(wsUrl(relay), async () => answer(200));
    expect(publicUrl).toMatch(/^https:\/\/relay\.example\.com\/ch_[A-Za-z0-9_-]{22}$/);
  });

  it('answers 503 when no client is connected and 404 for a URL without a channel', async () => {
    const relay = await startRelay();
    const noClient = await post(`${relay.url}/ch_${'x'.repeat(22)}`);
    expect(noClient.status).toBe(503);
    expect(noClient.headers?.['x-relay-error']).toBe('no_client');
    expect(JSON.parse(noClient.body!.toString()).error.message).toMatch(/no listener is connected/);
    const unknown = await post(`${relay.url}/webhook`);
    expect(unknown.status).toBe(404);
    await connect(wsUrl(relay), async () => answer(200));
    const health = await fetch(`${relay.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true, channels: 1, connected: 1, pending: 0 });
  });

  it('refuses a client whose token does not open the channel', async () => {
    const relay = await startRelay();
    const owner = await connect(wsUrl(relay), async () => answer(200));
    const intruder = openClient(wsUrl(relay), async () => answer(200), {
      credentials: { channel: owner.credentials!.channel, token: 'A'.repeat(43) },
    });
    const end = await intruder.client.done;
    expect(end.reason).toBe('refused');
    expect(intruder.client.status().state).toBe('refused');
    expect(intruder.client.status().error).toMatch(/refused channel ch_.*does not open that channel/);
    // The owner keeps its channel.
    expect((await post(owner.publicUrl)).status).toBe(200);

    const bare = new WebSocket(`${wsUrl(relay)}/connect?channel=${owner.credentials!.channel}`);
    bare.on('error', () => {});
    const status = await new Promise<number>((resolve) =>
      bare.on('unexpected-response', (_req, res) => resolve(res.statusCode!)),
    );
    bare.terminate();
    expect(status).toBe(401);
  });

  it('answers 504 when the client is too slow, and ignores the late answer', async () => {
    const relay = await startRelay({ answerTimeoutMs: 150 });
    let finished = false;
    const { publicUrl } = await connect(wsUrl(relay), async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
      return answer(200);
    });
    const result = await post(publicUrl);
    expect(result.status).toBe(504);
    expect(result.headers?.['x-relay-error']).toBe('client_timeout');
    await until(() => finished);
    expect(relay.stats().pending).toBe(0);
  });

  it('refuses a body over the limit with 413 without bothering the client', async () => {
    const relay = await startRelay({ maxBodyBytes: 1_000 });
    let calls = 0;
    const { publicUrl } = await connect(wsUrl(relay), async () => {
      calls += 1;
      return answer(200);
    });
    expect((await post(publicUrl, Buffer.alloc(1_001, 0x61))).status).toBe(413);
    expect((await post(publicUrl, Buffer.alloc(1_000, 0x61))).status).toBe(200);
    expect(calls).toBe(1);
  });

  it('turns an answer over the limit into a 502 from the listener side', async () => {
    const relay = await startRelay({ maxBodyBytes: 1_000 });
    const { publicUrl } = await connect(wsUrl(relay), async () => ({
      status: 200,
      headers: {},
      body: Buffer.alloc(5_000),
    }));
    const result = await post(publicUrl);
    expect(result.status).toBe(502);
    expect(result.body!.toString()).toMatch(/larger than the relay's 1000-byte limit/);
  });

  it('answers 502 from the listener side when its handler gives a status that is not a final one', async () => {
    const relay = await startRelay();
    const warnings: string[] = [];
    const { publicUrl } = await connect(wsUrl(relay), async () => answer(103, ''), {
      onWarning: (w) => warnings.push(w),
    });
    const result = await post(publicUrl);
    expect(result.status).toBe(502);
    expect(result.headers?.['x-relay-error']).toBeUndefined();
    expect(result.body!.toString()).toBe("the listener's answer had status 103, not a final HTTP status\n");
    expect(warnings).toEqual(['answer to POST / had status 103, not a final one (200-599); sent 502 instead']);
  });

  it('reads no more than the start of an endless refusal, so a relay (or proxy) cannot hold the client there', async () => {
    const endless = http.createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'.repeat(1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      endless.closeAllConnections();
      endless.close();
    });
    const { client } = openClient(
      `ws://127.0.0.1:${(endless.address() as AddressInfo).port}`,
      async () => answer(200),
      {
        reconnectDelaysMs: [60_000],
      },
    );
    await until(() => client.status().state === 'reconnecting', 10_000, 'the refusal read');
    expect(client.status().error).toMatch(/^relay answered 503: x{200}/);
  });

  it('survives malformed frames from a client and still takes its valid answers', async () => {
    const warnings: string[] = [];
    const relayLogged = await startRelay({ log: (level, message) => level === 'warn' && warnings.push(message) });
    const raw = new WebSocket(`${wsUrl(relayLogged)}/connect`);
    const frames: ReturnType<typeof decodeFrame>[] = [];
    raw.on('message', (data: Buffer) => frames.push(decodeFrame(data)));
    await until(() => frames.length === 1);
    const hello = frames[0]!;
    if (!hello.ok || hello.frame.kind !== 'hello') throw new Error('expected hello');

    raw.send('{"not":"binary"}');
    raw.send(Buffer.from([7, 1, 2]));
    raw.send(Buffer.from([3, 0, 0, 0, 50, 1]));
    raw.send(encodeFrame({ kind: 'response', id: 'no-such-request', status: 200, headers: {}, body: Buffer.alloc(0) }));
    const pendingPost = post(hello.frame.publicUrl, 'raw bytes');
    await until(() => frames.length === 2);
    const request = frames[1]!;
    if (!request.ok || request.frame.kind !== 'request') throw new Error('expected request');
    raw.send(
      encodeFrame({
        kind: 'response',
        id: request.frame.id,
        status: 202,
        headers: { 'x-b': '1' },
        body: Buffer.from('taken'),
      }),
    );
    const result = await pendingPost;
    raw.terminate();

    expect(result.status).toBe(202);
    expect(result.body!.toString()).toBe('taken');
    // Repeated warnings of one kind are logged once a window (test/integration/relay-log.test.ts).
    expect(warnings.filter((w) => /text frame|malformed frame/.test(w))).toHaveLength(1);
  });

  it('answers 502 when a client vanishes mid-request and keeps serving other channels', async () => {
    const relay = await startRelay({ reconnectGraceMs: 100 });
    const healthy = await connect(wsUrl(relay), async () => answer(200, 'still here'));
    const raw = new WebSocket(`${wsUrl(relay)}/connect`);
    let publicUrl = '';
    raw.on('message', (data: Buffer) => {
      const decoded = decodeFrame(data);
      if (!decoded.ok) return;
      if (decoded.frame.kind === 'hello') publicUrl = decoded.frame.publicUrl;
      if (decoded.frame.kind === 'request') raw.terminate();
    });
    await until(() => publicUrl !== '');
    const [vanished, other] = await Promise.all([post(publicUrl), post(healthy.publicUrl)]);
    expect(vanished.status).toBe(502);
    expect(vanished.headers?.['x-relay-error']).toBe('client_gone');
    expect(other.status).toBe(200);
    expect((await post(healthy.publicUrl)).body!.toString()).toBe('still here');
  });

  it('keeps many channels apart', async () => {
    const relay = await startRelay();
    const clients = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        connect(wsUrl(relay), async (req) => answer(200, `client ${i} got ${req.body.toString()}`)),
      ),
    );
    expect(relay.stats().connected).toBe(30);
    const results = await Promise.all(
      clients.flatMap((c, i) => [0, 1, 2].map((n) => post(c.publicUrl, `${i}.${n}`).then((r) => ({ i, n, r })))),
    );
    for (const { i, n, r } of results) expect(r.body!.toString()).toBe(`client ${i} got ${i}.${n}`);
  });

  it('drops a connection that stops answering pings', async () => {
    const relay = await startRelay({ pingIntervalMs: 50 });
    const silent = new WebSocket(`${wsUrl(relay)}/connect`, { autoPong: false });
    await new Promise((resolve) => silent.once('message', resolve));
    expect(relay.stats().connected).toBe(1);
    await new Promise((resolve) => silent.once('close', resolve));
    await until(() => relay.stats().connected === 0);
  });

  it('reconnects after a relay restart on the same channel and public URL', async () => {
    const first = await RelayServer.start({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => first.close());
    const port = first.port;
    const stored: ChannelCredentials[] = [];
    const opened = openClient(wsUrl(first), async () => answer(200, 'back'), { onCredentials: (c) => stored.push(c) });
    await until(() => opened.client.status().state === 'connected');
    const publicUrl = opened.client.status().publicUrl!;
    await first.close();
    await until(() => opened.client.status().state === 'reconnecting');
    expect((await post(publicUrl)).error).toMatch(/refused/);

    const second = await startRelay({ port });
    await until(() => opened.client.status().state === 'connected');
    expect(opened.client.status().publicUrl).toBe(publicUrl);
    expect(stored).toHaveLength(1);
    const result = await post(publicUrl);
    expect(result.status).toBe(200);
    expect(result.body!.toString()).toBe('back');
    expect(second.stats().connected).toBe(1);
    expect(opened.statuses.map((s) => s.state)).toContain('reconnecting');
  });

  it('sends an answer finished during a link drop over the next connection, handling the request once', async () => {
    const relay = await startRelay({ answerTimeoutMs: 5_000 });
    const proxy: TcpProxy = await startTcpProxy(relay.port);
    cleanups.push(() => proxy.close());
    let calls = 0;
    let release: () => void = () => {};
    const { client, statuses, publicUrl } = await connect(`ws://127.0.0.1:${proxy.port}`, async () => {
      calls += 1;
      await new Promise<void>((resolve) => (release = resolve));
      return answer(201, 'answered across a reconnect');
    });
    const direct = publicUrl.replace(`127.0.0.1:${proxy.port}`, `127.0.0.1:${relay.port}`);
    const sent = post(direct, '{"n":1}');
    await until(() => calls === 1);
    proxy.cutAll();
    await until(() => statuses.some((s) => s.state === 'reconnecting'));
    await until(() => client.status().state === 'connected');
    release();
    const result = await sent;
    expect(result.status).toBe(201);
    expect(result.body!.toString()).toBe('answered across a reconnect');
    expect(calls).toBe(1);
  });

  it('notices a silent half-open link and reconnects', async () => {
    const relay = await startRelay({ pingIntervalMs: 60 });
    const proxy = await startTcpProxy(relay.port);
    cleanups.push(() => proxy.close());
    const { client, statuses, publicUrl } = await connect(`ws://127.0.0.1:${proxy.port}`, async () =>
      answer(200, 'alive'),
    );
    proxy.freezeAll();
    await until(() => statuses.some((s) => s.state === 'reconnecting'));
    await until(() => client.status().state === 'connected');
    const direct = publicUrl.replace(`127.0.0.1:${proxy.port}`, `127.0.0.1:${relay.port}`);
    expect((await post(direct)).body!.toString()).toBe('alive');
  });

  it("answers 502 when the listener's answer has a header node cannot send", async () => {
    const relay = await startRelay();
    const { publicUrl } = await connect(wsUrl(relay), async () => ({
      status: 200,
      headers: { 'content-type': 'text/plain\r\nx-injected: 1' },
      body: Buffer.from('x'),
    }));
    const result = await post(publicUrl);
    expect(result.status).toBe(502);
    expect(result.headers?.['x-relay-error']).toBe('bad_answer');
    expect((await post(publicUrl)).status).toBe(502);
  });

  it('forgets a request whose sender hung up', async () => {
    const relay = await startRelay();
    let release: () => void = () => {};
    const { publicUrl } = await connect(wsUrl(relay), async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return answer(200);
    });
    const sent = sendRequest({ url: publicUrl, body: Buffer.from('{}'), headers: {}, timeoutMs: 100 });
    expect((await sent).errorCode).toBe('timeout');
    await until(() => relay.stats().pending === 0);
    release();
    expect(relay.stats().connected).toBe(1);
  });

  it('gives the channel to the newest connection and tells the older one', async () => {
    const relay = await startRelay();
    const first = await connect(wsUrl(relay), async () => answer(200, 'first'));
    const second = await connect(wsUrl(relay), async () => answer(200, 'second'), { credentials: first.credentials });
    expect(await first.client.done).toMatchObject({ reason: 'replaced' });
    expect(second.publicUrl).toBe(first.publicUrl);
    expect((await post(first.publicUrl)).body!.toString()).toBe('second');
  });

  it('lets requests being handled finish before stopping', async () => {
    const relay = await startRelay();
    let release: () => void = () => {};
    let started = false;
    const { client, publicUrl } = await connect(wsUrl(relay), async () => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
      return answer(200, 'finished');
    });
    const sent = post(publicUrl);
    await until(() => started);
    const stopped = client.stop(2_000);
    setTimeout(() => release(), 50);
    await stopped;
    expect((await sent).body!.toString()).toBe('finished');
    expect(client.status().state).toBe('stopped');
  });
});
