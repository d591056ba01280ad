/**
 * `listen --forward-to URL`: passes a received request on to the app under development, with
 * its exact bytes and headers (only hop-by-hop headers are dropped), and brings back the app's
 * answer. An app that is down answers 502, one that is too slow 504, both with a recorded reason.
 */
import http from 'node:http';
import https from 'node:https';
import { UsageError } from '../errors.js';
import type { RawRequest, RawResponse } from './raw-exchange.js';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1); never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

/** The app's answer is passed back whole up to this size; larger answers are a 502. */
const MAX_APP_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface ForwardResult {
  response: RawResponse;
  /** Why the app's own answer is not what was returned (down, too slow, too large), or null. */
  error: string | null;
  /** How long the app took, or until it failed. */
  durationMs: number;
}

export type Forward = (request: RawRequest) => Promise<ForwardResult>;

/**
 * Checks `--forward-to` and returns its URL. Only this machine is a target unless
 * `allowRemote`: a receiver must not become an open relay for webhooks to anywhere.
 */
export function parseForwardTarget(value: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--forward-to "${value}" is not a URL`, 'e.g. --forward-to http://localhost:8000/webhooks');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--forward-to must be an http(s) URL, not ${url.protocol}`, 'e.g. --forward-to http://localhost:8000/webhooks');
  }
  if (!allowRemote && !isLocalHost(url.hostname)) {
    throw new UsageError(`--forward-to ${url.host} is not on this machine`, 'forward to localhost or 127.0.0.1, or pass --allow-remote-forward to send webhooks elsewhere');
  }
  return url;
}

export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

/** A forwarder to `target` that keeps connections to the app alive between requests. */
export function createForwarder(target: URL, timeoutMs: number): { forward: Forward; close: () => void } {
  const client = target.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64 });
  const forward: Forward = (request) => {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    const url = new URL(target);
    const query = request.path.indexOf('?');
    if (query >= 0 && !url.search) url.search = request.path.slice(query);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers['content-length'] = String(request.body.length);
    return new Promise<ForwardResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<ForwardResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: elapsed() });
      };
      const fail = (status: number, error: string) => finish({ response: errorResponse(status, error), error });
      const outgoing = client.request(url, { method: request.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_APP_RESPONSE_BYTES) {
            res.destroy();
            fail(502, `the app at ${url.host} answered with more than ${MAX_APP_RESPONSE_BYTES} bytes`);
          } else chunks.push(chunk);
        });
        res.on('end', () => {
          const answerHeaders: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
          finish({ response: { status: res.statusCode ?? 502, headers: answerHeaders, body: Buffer.concat(chunks) }, error: null });
        });
        res.on('error', () => fail(502, `the app at ${url.host} closed the connection while answering`));
      });
      const timer = setTimeout(() => {
        fail(504, `the app at ${url.host} did not answer within ${timeoutMs} ms`);
        outgoing.destroy();
      }, timeoutMs);
      outgoing.on('error', (err: NodeJS.ErrnoException) => fail(502, describeAppError(err, url)));
      outgoing.end(request.body);
    });
  };
  return { forward, close: () => agent.destroy() };
}

function describeAppError(err: NodeJS.ErrnoException, url: URL): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `the app at ${url.host} refused the connection — is it running?`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the app at ${url.host} closed the connection before answering`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the app's host "${url.hostname}"`;
    default:
      return `forwarding to ${url.host} failed: ${err.message}`;
  }
}

function errorResponse(status: number, message: string): RawResponse {
  const code = status === 504 ? 'app_timeout' : 'app_unavailable';
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ error: { code, message } })) };
}
