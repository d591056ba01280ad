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
export type Responder = (req: ReceivedRequest) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number; reset?: boolean };

/** Listens on 127.0.0.1 at a free port and records every request with its raw body. */
export async function startRecordingServer(respond: Responder = () => ({ status: 200, body: 'OK' })): Promise<RecordingServer> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
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
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago (for servers the CLI itself starts). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
