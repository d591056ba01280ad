/**
 * The node:http transport of `listen`: reads each request's body (stopping at the size limit),
 * hands it to the `WebhookReceiver`, writes the answer. Timeouts keep a slow or stalled client
 * from holding a connection; oversized headers and timeouts are answered and recorded too.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverTimeouts } from '../config/server-timeouts.js';
import { listenError } from '../errors.js';
import { readLimitedBody } from '../http/body-limit.js';
import { answerClientError } from '../http/socket-answer.js';
import type { RawRequest, RawResponse } from './raw-exchange.js';
import type { WebhookReceiver } from './webhook-receiver.js';

export interface HttpReceiverOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  /** Whole-request deadline (headers and body; see config/server-timeouts.ts). */
  requestTimeoutMs?: number;
}

export interface HttpReceiver {
  port: number;
  /** Stops accepting connections and closes the idle ones; requests in flight carry on. */
  stopAccepting(): void;
  /** Closes the connections left, giving answers being written `graceMs` to leave. */
  closeConnections(graceMs?: number): Promise<void>;
}

/** Larger than node's 16 KiB default: some proxies add a lot; beyond this a request gets 431. */
const MAX_HEADER_BYTES = 64 * 1024;

export async function startHttpReceiver(
  receiver: WebhookReceiver,
  options: HttpReceiverOptions,
): Promise<HttpReceiver> {
  const server = http.createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, ...serverTimeouts(options.requestTimeoutMs) },
    (req, res) => onRequest(receiver, options.maxBodyBytes, req, res),
  );
  // An Expect other than 100-continue: node would answer 417 itself, unrecorded. Handle it like any request.
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) =>
    onRequest(receiver, options.maxBodyBytes, req, res),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => onClientError(receiver, err, socket));
  // node hands CONNECT (a proxy's method) to 'connect' alone, and without a listener drops it
  // unanswered and unrecorded: answered and recorded here like any other request.
  server.on('connect', (req: http.IncomingMessage, socket: Socket) => onConnect(receiver, req, socket));

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, options.host, options.port)));
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    port,
    stopAccepting() {
      server.close(() => (closed = true));
      server.closeIdleConnections();
    },
    async closeConnections(graceMs = 500) {
      const deadline = Date.now() + graceMs;
      // Keep-alive connections whose last answer went out are idle now.
      server.closeIdleConnections();
      while (!closed && Date.now() < deadline) {
        await sleep(10);
        server.closeIdleConnections();
      }
      server.closeAllConnections();
    },
  };
}

function onRequest(
  receiver: WebhookReceiver,
  maxBodyBytes: number,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const createdAt = Date.now();
  const meta: Omit<RawRequest, 'body'> = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress ?? null,
    via: 'local',
  };
  const rejectOversized = (size: number | null) => {
    // Close after answering: the rest of the body is not worth reading.
    const response = receiver.oversized(meta, createdAt, size);
    respond(res, { ...response, headers: { ...response.headers, connection: 'close' } });
  };
  const answer = (body: Buffer) => {
    // The receiver never fails; if it ever does, answer rather than hang the sender.
    const failed = (err: unknown) =>
      respond(res, {
        status: 500,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from(`webhooks-cli listen failed: ${String(err)}`),
      });
    let response: RawResponse | Promise<RawResponse>;
    try {
      response = receiver.respond({ ...meta, body });
    } catch (err) {
      return failed(err);
    }
    if (response instanceof Promise) response.then((r) => respond(res, r), failed);
    else respond(res, response);
  };
  readLimitedBody(req, maxBodyBytes, { tooLarge: rejectOversized, complete: answer });
  // A client that goes away mid-body got no answer; there is nothing to record.
  req.on('error', () => {});
}

function respond(res: http.ServerResponse, response: RawResponse): void {
  if (res.headersSent || res.destroyed) return;
  // 204 and 304 carry no body and no Content-Length (RFC 9110 §8.6); node would drop the body but send the length.
  const bodiless = response.status === 204 || response.status === 304;
  const { 'content-length': _length, ...headers } = response.headers;
  try {
    res.writeHead(response.status, bodiless ? headers : { ...headers, 'content-length': String(response.body.length) });
  } catch (err) {
    // An answer node refuses to write (a header value with a line break): the sender still gets one.
    const body = Buffer.from(`webhooks-cli listen could not write the answer: ${(err as Error).message}`);
    res.writeHead(502, { 'content-type': 'text/plain', 'content-length': String(body.length) });
    return void res.end(body);
  }
  if (bodiless) return void res.end();
  // As a latin1 string the body goes out in one write with the head (a Buffer takes a writev);
  // latin1 maps bytes to characters one to one, so the bytes sent are exactly the body's.
  res.end(response.body.toString('latin1'), 'latin1');
}

/** A CONNECT request: the receiver answers it (a wrong path, a wrong method) on the bare socket, then closes it. */
function onConnect(receiver: WebhookReceiver, req: http.IncomingMessage, socket: Socket): void {
  socket.on('error', () => {});
  const request: RawRequest = {
    method: req.method ?? 'CONNECT',
    path: req.url ?? '',
    headers: req.headers,
    body: Buffer.alloc(0),
    remoteAddress: socket.remoteAddress ?? null,
    via: 'local',
  };
  receiver.handle(request).then(
    (response) => endWithAnswer(socket, response),
    () => socket.destroy(),
  );
}

/** A whole HTTP/1.1 answer written onto a socket, which is then closed. */
function endWithAnswer(socket: Socket, { status, headers, body }: RawResponse): void {
  const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`];
  for (const [name, value] of Object.entries(headers)) for (const one of [value].flat()) lines.push(`${name}: ${one}`);
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]));
}

/** Answers what node could not parse into a request; records the answers that were given. */
function onClientError(receiver: WebhookReceiver, err: NodeJS.ErrnoException, socket: Socket): void {
  const remote = socket.remoteAddress ?? null;
  const answer = answerClientError(err, socket, { maxHeaderBytes: MAX_HEADER_BYTES });
  if (answer) receiver.recordTransportFailure(remote, answer.status, answer.message);
}
