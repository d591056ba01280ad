/**
 * The emulator's HTTP front (node:http): bearer-token check, JSON bodies with a size limit,
 * routing to the `WebhookService`, and JSON errors `{"error": {"code", "message", "field"?}}`.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serverTimeouts } from '../config/server-timeouts.js';
import { readLimitedBody } from '../http/body-limit.js';
import { hostRefusal, isAllowedHost } from '../http/host-check.js';
import { answerClientError, endWithJsonError } from '../http/socket-answer.js';
import { ApiError } from './api-error.js';
import { openApiDocument } from './openapi.js';
import type { ApiAnswer, WebhookService } from './webhook-service.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiServerOptions {
  /** The token clients must send; undefined accepts any non-empty bearer token. */
  token?: string;
  /** Called once per answered request (the `serve` log). */
  onRequest?: (line: { method: string; path: string; status: number; durationMs: number }) => void;
  /** Whole-request deadline; a client slower than this gets 408 and is disconnected (default 30 s). */
  requestTimeoutMs?: number;
  /** Host names answered besides loopback ones while bound to loopback (`--allow-host`). */
  allowedHosts?: readonly string[];
}

type Handler = (match: {
  id?: string;
  query: URLSearchParams;
  body: () => Promise<unknown>;
  headers: http.IncomingHttpHeaders;
}) => ApiAnswer | Promise<ApiAnswer>;

interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
  public?: boolean;
}

export class ApiServer {
  readonly #server: http.Server;
  readonly #routes: Route[];
  readonly #options: ApiServerOptions;
  /** The address it listens on, for the Host check (http/host-check.ts). */
  #bindHost = '127.0.0.1';

  constructor(service: WebhookService, options: ApiServerOptions = {}) {
    this.#options = options;
    this.#routes = [
      {
        pattern: /^\/api\/v1\/openapi\.json$/,
        public: true,
        methods: { GET: () => ({ status: 200, body: openApiDocument() }) },
      },
      {
        pattern: /^\/api\/v1\/webhooks$/,
        methods: { GET: ({ query }) => service.list(query), POST: async ({ body }) => service.create(await body()) },
      },
      {
        pattern: /^\/api\/v1\/webhooks\/([^/]+)$/,
        methods: {
          GET: ({ id }) => service.get(id!),
          PATCH: async ({ id, body, headers }) => service.update(id!, await body(), headers['if-match']),
          DELETE: ({ id }) => service.delete(id!),
        },
      },
      {
        pattern: /^\/api\/v1\/webhooks\/([^/]+)\/test$/,
        methods: { POST: async ({ id, body }) => service.test(id!, await body()) },
      },
      {
        pattern: /^\/api\/v1\/webhooks\/([^/]+)\/deliveries$/,
        methods: { GET: ({ id, query }) => service.deliveries(id!, query) },
      },
      { pattern: /^\/api\/v1\/events$/, methods: { POST: async ({ body }) => service.emit(await body()) } },
    ];
    this.#server = http.createServer(
      serverTimeouts(options.requestTimeoutMs),
      (req, res) => void this.#handle(req, res),
    );
    // What node could not read as a request gets the API's JSON error shape too: 408, 431 or 400.
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
    // CONNECT goes to 'connect' alone, and without a listener is dropped unanswered: answered here.
    this.#server.on('connect', (req: http.IncomingMessage, socket: Socket) => {
      socket.on('error', () => {});
      endWithJsonError(socket, {
        status: 405,
        code: 'method_not_allowed',
        message: `${req.method} is not allowed; this is the webhooks API (see GET /api/v1/openapi.json)`,
      });
    });
  }

  /** Listens on `host:port` (0 for a free port) and resolves with the base URL. */
  listen(port: number, host: string): Promise<string> {
    this.#bindHost = host;
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`http://${shownHost}:${address.port}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = req.method ?? 'GET';
    let answer: ApiAnswer;
    try {
      answer = await this.#route(req, method, url);
    } catch (err) {
      answer =
        err instanceof ApiError
          ? { status: err.status, body: err.toJSON() }
          : {
              status: 500,
              body: new ApiError(500, 'internal', `the emulator failed: ${(err as Error).message}`).toJSON(),
            };
    }
    // A body nobody read (a GET with a body, an early error) is drained so the connection stays usable.
    if (!req.readableEnded) req.resume();
    if (!res.headersSent) {
      const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
      const headers: Record<string, string> = { 'content-type': 'application/json', ...answer.headers };
      if (answer.status === 405) headers.allow = this.#allowed(url.pathname).join(', ');
      if (answer.status === 413) headers.connection = 'close';
      res.writeHead(answer.status, answer.body === undefined ? {} : headers);
      res.end(payload);
    }
    this.#options.onRequest?.({
      method,
      path: url.pathname,
      status: answer.status,
      durationMs: performance.now() - started,
    });
  }

  async #route(req: http.IncomingMessage, method: string, url: URL): Promise<ApiAnswer> {
    // Before anything else, the token included: a rebinding page must learn nothing, not even that.
    if (!isAllowedHost(req.headers.host, this.#bindHost, this.#options.allowedHosts)) {
      req.resume();
      throw new ApiError(403, 'host_not_allowed', hostRefusal(req.headers.host));
    }
    for (const route of this.#routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      const handler = route.methods[method];
      if (!handler) {
        req.resume();
        throw new ApiError(
          405,
          'method_not_allowed',
          `${method} is not allowed on ${url.pathname}; use ${Object.keys(route.methods).join(' or ')}`,
        );
      }
      if (!route.public) this.#authorize(req);
      const id = match[1] === undefined ? undefined : decodePathSegment(match[1]);
      return handler({ id, query: url.searchParams, body: () => readJsonBody(req), headers: req.headers });
    }
    req.resume();
    throw new ApiError(404, 'not_found', `no endpoint ${method} ${url.pathname}; see GET /api/v1/openapi.json`);
  }

  #allowed(path: string): string[] {
    return Object.keys(this.#routes.find((r) => r.pattern.test(path))?.methods ?? {});
  }

  #authorize(req: http.IncomingMessage): void {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S.*)$/i.exec(header);
    if (!match) {
      req.resume();
      throw new ApiError(401, 'unauthorized', 'missing bearer token: send Authorization: Bearer <token>');
    }
    const expected = this.#options.token;
    if (expected !== undefined && !sameToken(match[1]!.trim(), expected)) {
      req.resume();
      throw new ApiError(401, 'unauthorized', 'the bearer token is not valid for this API');
    }
  }
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'invalid_path', `"${segment}" is not a valid URL path segment`);
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reads the body as JSON. An empty body is `undefined`; a body over `MAX_BODY_BYTES` is drained
 * and answered 413 (not read into memory); one that does not parse is a 400.
 */
function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    req.on('error', (err) =>
      reject(new ApiError(400, 'invalid_body', `the request body could not be read: ${err.message}`)),
    );
    readLimitedBody(req, MAX_BODY_BYTES, {
      // Answered once the client has sent it all, so it reads the 413 rather than a reset.
      tooLarge: () =>
        req.once('end', () =>
          reject(new ApiError(413, 'body_too_large', `the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`)),
        ),
      complete: (body) => {
        if (body.length === 0) return resolve(undefined);
        try {
          resolve(JSON.parse(body.toString('utf8')));
        } catch (err) {
          reject(new ApiError(400, 'invalid_json', `the request body is not valid JSON: ${(err as Error).message}`));
        }
      },
    });
  });
}
