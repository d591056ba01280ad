/**
 * What the relay writes to senders: a listener's answer made fit to serve from the relay's origin
 * (a final status, only allowlisted headers, no content where HTTP has none), the relay's own
 * errors (JSON, marked with `X-Relay-Error` so they are never mistaken for the listener's), and
 * refused WebSocket upgrades.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { endWithJsonError } from '../http/socket-answer.js';
import { encodeFrame, type ResponseFrame } from '../tunnel/frame-codec.js';

/**
 * On every answer passed back from a listener: a relayed answer is data for the sender, never a
 * document (no scripts, no frames, no sniffing it into HTML).
 */
export const RELAYED_ANSWER_HEADERS = {
  'content-security-policy': "sandbox; default-src 'none'",
  'x-content-type-options': 'nosniff',
} as const;

/**
 * The only headers of a listener's answer that reach the sender: what the body is and how to read
 * it, when to retry, which methods a 405 allows, and the app's request id for matching logs. The
 * answer is served from the relay's origin, which every channel shares, so anything else could act
 * on that origin for everyone who visits it (cookies, redirects, HSTS, Clear-Site-Data, CORS, a
 * login prompt, Alt-Svc); it is dropped and counted.
 */
export const PASSED_ANSWER_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-encoding',
  'content-language',
  'retry-after',
  'allow',
  'x-request-id',
]);

/** The header names counted by name when dropped (a fixed set: label values must not come from outside); the rest count as `other`. */
const NAMED_WHEN_DROPPED: ReadonlySet<string> = new Set([
  'set-cookie',
  'location',
  'refresh',
  'strict-transport-security',
  'clear-site-data',
  'www-authenticate',
]);

/** How a dropped header is counted in `relay_answer_headers_dropped_total{header}`. */
export function droppedHeaderLabel(name: string): string {
  const lower = name.toLowerCase();
  if (NAMED_WHEN_DROPPED.has(lower)) return lower;
  return lower.startsWith('access-control-') ? 'access-control-*' : 'other';
}

/** A listener's answer (or one of the relay's own, made on another instance and carried through Redis). */
export interface ListenerAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** What the sender gets: `body` undefined where HTTP has no content; `dropped`: header names not passed. */
export type SenderAnswer =
  | {
      ok: true;
      status: number;
      headers: Record<string, string | string[]>;
      body: Buffer | undefined;
      dropped: string[];
    }
  | { ok: false; error: RelayError };

/**
 * `answer` as the sender of a `method` request gets it. Only a final status (200–599) answers a
 * request: an interim one passed on would leave the sender waiting and put the answers of
 * pipelined requests out of step. No content and no Content-Length for HEAD, 204 and 304, an
 * empty body for 205 (RFC 9110 §9.3.2, §15.3.5, §15.3.6, §15.4.5). `relayMade`: an error of the
 * relay's own from another instance, whose `X-Relay-Error` is kept.
 */
export function senderAnswer(method: string, answer: ListenerAnswer, relayMade = false): SenderAnswer {
  const { status } = answer;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    const why =
      status >= 100 && status <= 199
        ? `the listener answered ${status}, an interim status; only a final status (200-599) can answer a request`
        : `the listener answered ${status}, which is not an HTTP status; a final answer is 200-599`;
    return { ok: false, error: { status: 502, code: 'bad_answer', message: why } };
  }
  const headers: Record<string, string | string[]> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(answer.headers)) {
    const lower = name.toLowerCase();
    if (PASSED_ANSWER_HEADERS.has(lower) || (relayMade && lower === 'x-relay-error')) headers[lower] = value;
    else dropped.push(lower);
  }
  Object.assign(headers, RELAYED_ANSWER_HEADERS);
  if (method === 'HEAD' || status === 204 || status === 304)
    return { ok: true, status, headers, body: undefined, dropped };
  const body = status === 205 ? Buffer.alloc(0) : answer.body;
  return { ok: true, status, headers: { ...headers, 'content-length': String(body.length) }, body, dropped };
}

/**
 * A listener's answer frame as it may cross Redis: without `X-Relay-Error`, which on the far side
 * marks the relay's own answers. `raw` itself (untouched) unless the listener set that header.
 */
export function withoutRelayErrorHeader(frame: ResponseFrame, raw: Buffer): Buffer {
  const names = Object.keys(frame.headers).filter((name) => name.toLowerCase() === 'x-relay-error');
  if (names.length === 0) return raw;
  const headers = { ...frame.headers };
  for (const name of names) delete headers[name];
  return encodeFrame({ ...frame, headers });
}

/** The reason phrase for `status`, always given to writeHead: node keeps one set by an earlier writeHead that threw. */
export function reasonPhrase(status: number): string {
  return http.STATUS_CODES[status] ?? 'Unknown';
}

/** On a 202 for a delivery the relay keeps because no listener is connected (`--offline hold`). */
export const HELD_HEADER = 'x-relay-held';

/** One of the relay's own errors: what the sender is told, and any headers that go with it. */
export interface RelayError {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** The errors more than one path of the relay answers with. */
export const RELAY_ERRORS = {
  noClient: {
    status: 503,
    code: 'no_client',
    message: 'no listener is connected to this channel; start `webhooks-cli listen --relay …` and retry',
    headers: { 'retry-after': '5' },
  },
  /** For a channel held on another instance while Redis is away (own channels keep working). */
  redisUnavailable: {
    status: 503,
    code: 'redis_unavailable',
    message:
      'this relay instance lost its link to Redis, so it cannot reach listeners on other instances; retry shortly',
    headers: { 'retry-after': '5', 'x-relay-error': 'redis unavailable' },
  },
  clientUnreachable: {
    status: 502,
    code: 'client_unreachable',
    message: 'the tunnel to the listener broke while sending; the sender should retry',
  },
  /** The channel's listener has the most the relay keeps waiting for it (--max-queued… see relay-options.ts). */
  listenerStalled: {
    status: 503,
    code: 'listener_stalled',
    message:
      "this channel's listener is not reading what the relay sends it, and the relay keeps no more for it; retry shortly",
    headers: { 'retry-after': '5' },
  },
  clientGone: {
    status: 502,
    code: 'client_gone',
    message: 'the listener disconnected before answering; the sender should retry',
  },
  /** `--hold-max` or `--hold-max-bytes` reached for the channel: nothing more is held until its listener drains it. */
  holdFull: {
    status: 503,
    code: 'hold_full',
    message: "no listener is connected and this channel's held deliveries are at the relay's limit; retry later",
    headers: { 'retry-after': '60', 'x-relay-error': 'hold full' },
  },
  holdUnavailable: {
    status: 503,
    code: 'hold_unavailable',
    message: 'no listener is connected and the relay could not write the delivery to its hold store; retry shortly',
    headers: { 'retry-after': '5', 'x-relay-error': 'hold unavailable' },
  },
} satisfies Record<string, RelayError>;

export function sendJson(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, reasonPhrase(status), {
    ...headers,
    ...RELAYED_ANSWER_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The relay's own error; `headers` such as Retry-After or Allow. */
export function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  sendJson(
    res,
    status,
    { error: { code, message } },
    { ...headers, 'x-relay-error': headers['x-relay-error'] ?? code },
  );
}

/** A relay error as the fields of a response frame, for a sender waiting on another instance (see redis-bridge.ts). */
export function errorAnswer({ status, code, message, headers }: RelayError): {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json', 'x-relay-error': headers?.['x-relay-error'] ?? code },
    body: Buffer.from(JSON.stringify({ error: { code, message } })),
  };
}

export function refuseUpgrade(socket: Socket, status: number, code: string, message: string): void {
  endWithJsonError(socket, { status, code, message }, { 'X-Relay-Error': code });
}
