/** Raw-socket error answers on a real node:http server: what a client that cannot speak HTTP gets back. */
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  answerClientError,
  describeClientError,
  endWithJsonError,
  type SocketErrorAnswer,
} from '../../src/http/socket-answer.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server on a free loopback port whose clientError handler is the one under test; resolves with what it answered. */
async function serverAnswering(
  options: Parameters<typeof answerClientError>[2],
  serverOptions: http.ServerOptions = {},
) {
  const answered: Array<SocketErrorAnswer | undefined> = [];
  const server = http.createServer(serverOptions, (_req, res) => res.end('ok'));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
    answered.push(answerClientError(err, socket, options)),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, answered };
}

/** Writes `bytes` on a fresh connection and returns all the server sent back before closing. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

function parseAnswer(text: string) {
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { statusLine, headers, body: JSON.parse(body) as unknown, bodyBytes: Buffer.byteLength(body) };
}

describe('answerClientError', () => {
  it('answers a malformed request 400 with a JSON error, a right Content-Length and the extra headers', async () => {
    const { port, answered } = await serverAnswering({ headers: ({ code }) => ({ 'X-Relay-Error': code }) });
    const answer = parseAnswer(await exchange(port, 'THIS IS NOT HTTP\r\n\r\n'));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['x-relay-error']).toBe('bad_request');
    expect(answer.headers.connection).toBe('close');
    expect(Number(answer.headers['content-length'])).toBe(answer.bodyBytes);
    expect(answer.body).toEqual({
      error: { code: 'bad_request', message: expect.stringMatching(/^malformed HTTP request \(HPE_/) },
    });
    expect(answered).toEqual([
      { status: 400, code: 'bad_request', message: expect.stringMatching(/^malformed HTTP request/) },
    ]);
  });

  it('answers headers over the limit 431, naming the limit', async () => {
    const { port } = await serverAnswering({ maxHeaderBytes: 4096 }, { maxHeaderSize: 4096 });
    const answer = parseAnswer(await exchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.body).toEqual({ error: { code: 'headers_too_large', message: 'request headers larger than 4 KiB' } });
  });
});

describe('describeClientError', () => {
  it('tells a slow client, oversized headers and anything else apart', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(describeClientError(err('ERR_HTTP_REQUEST_TIMEOUT'))).toMatchObject({
      status: 408,
      code: 'request_timeout',
    });
    expect(describeClientError(err('HPE_HEADER_OVERFLOW'), 64 * 1024)).toEqual({
      status: 431,
      code: 'headers_too_large',
      message: 'request headers larger than 64 KiB',
    });
    expect(describeClientError(err('HPE_INVALID_METHOD'))).toEqual({
      status: 400,
      code: 'bad_request',
      message: 'malformed HTTP request (HPE_INVALID_METHOD)',
    });
  });
});

describe('endWithJsonError', () => {
  it('writes a whole answer on a socket node has no response for (a refused upgrade)', async () => {
    const server = http.createServer();
    server.on('upgrade', (_req, socket: Socket) =>
      endWithJsonError(socket, { status: 401, code: 'unauthorized', message: 'no such token' }),
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const answer = parseAnswer(
      await exchange(port, 'GET /connect HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'),
    );
    expect(answer.statusLine).toBe('HTTP/1.1 401 Unauthorized');
    expect(answer.body).toEqual({ error: { code: 'unauthorized', message: 'no such token' } });
  });
});
