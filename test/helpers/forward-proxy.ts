/**
 * A real forward proxy on loopback, for proxy tests: absolute-form requests
 * (`GET http://host/path`) are passed on, `CONNECT host:port` opens a tunnel. Host names are
 * resolved only through `hosts` (e.g. `api.internal.test` → 127.0.0.1), so a request that
 * bypasses the proxy cannot reach them, and any other name gets a 502. With `credentials`
 * (`user:password`), a request without that Basic Proxy-Authorization gets a 407, as a corporate
 * proxy answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface ForwardProxy {
  url: string;
  /** `GET http://api.internal.test:1234/path` or `CONNECT api.internal.test:1234`, in arrival order. */
  seen: string[];
  close: () => Promise<void>;
}

export async function startForwardProxy(
  hosts: Record<string, string>,
  { credentials }: { credentials?: string } = {},
): Promise<ForwardProxy> {
  const seen: string[] = [];
  const resolve = (host: string) => hosts[host.toLowerCase()];
  const authorised = (req: http.IncomingMessage) =>
    !credentials || req.headers['proxy-authorization'] === `Basic ${Buffer.from(credentials).toString('base64')}`;
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (!authorised(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end('proxy authentication required');
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const address = resolve(target.hostname);
    if (!address) {
      res.writeHead(502).end(`proxy cannot resolve ${target.hostname}`);
      return;
    }
    const { 'proxy-authorization': _credentials, 'proxy-connection': _hop, ...headers } = req.headers;
    const upstream = http.request(
      {
        host: address,
        port: target.port || 80,
        method: req.method,
        path: target.pathname + target.search,
        headers: { ...headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end('upstream failed'));
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    if (!authorised(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const address = resolve(host);
    if (!address) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
