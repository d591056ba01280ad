/** Real loopback servers for tests: a recording HTTP receiver on a free port. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RecordingServer {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  close: () => Promise<void>;
}

/** `reset: true` closes the connection with a TCP reset instead of answering, as a dropped proxy or load balancer does. */
export type Responder = (req: ReceivedRequest) => {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
  reset?: boolean;
};

/** A request handler that records every request with its raw body and answers as `respond` says. */
export function recordingHandler(requests: ReceivedRequest[], respond: Responder): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(received);
      const answer = respond(received);
      if (answer.reset) return void req.socket.resetAndDestroy();
      const send = () => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  };
}

/** Starts `server` on 127.0.0.1 at a free port: its URL (`scheme`), port, and a close that ends open connections. */
export async function onLoopback(
  server: http.Server,
  requests: ReceivedRequest[],
  scheme = 'http',
): Promise<RecordingServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Listens on 127.0.0.1 at a free port and records every request with its raw body. */
export async function startRecordingServer(
  respond: Responder = () => ({ status: 200, body: 'OK' }),
): Promise<RecordingServer> {
  const requests: ReceivedRequest[] = [];
  return onLoopback(http.createServer(recordingHandler(requests, respond)), requests);
}

/** A port that was free a moment ago (for servers the CLI itself starts). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
