/**
 * What the relay itself writes to senders: its own errors (JSON, marked with `X-Relay-Error` so
 * they are never mistaken for the listener's), refused WebSocket upgrades, and the headers that
 * keep a listener's answer from being served as a page of the relay's domain.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { endToEndHeaders } from '../core/http-headers.js';
import { endWithJsonError } from '../http/socket-answer.js';

/**
 * On every answer passed back from a listener, replacing the listener's own: a relayed answer
 * is data for the sender, never a document (no scripts, no frames, no sniffing it into HTML).
 */
export const RELAYED_ANSWER_HEADERS = {
  'content-security-policy': "sandbox; default-src 'none'",
  'x-content-type-options': 'nosniff',
} as const;

/** The listener's headers fit to send on: hop-by-hop ones dropped, the security headers ours. */
export function relayedAnswerHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out = endToEndHeaders(headers);
  for (const name of Object.keys(out)) if (name.toLowerCase() in RELAYED_ANSWER_HEADERS) delete out[name];
  return { ...out, ...RELAYED_ANSWER_HEADERS };
}

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
  clientGone: {
    status: 502,
    code: 'client_gone',
    message: 'the listener disconnected before answering; the sender should retry',
  },
} satisfies Record<string, RelayError>;

export function sendJson(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
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
