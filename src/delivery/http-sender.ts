/**
 * Sends one HTTP request with node:http(s) and reports what happened, never throwing.
 * node:http rather than undici here because `trigger` must start fast (undici costs ~30 ms to load).
 * Through a forward proxy (the agent from http/node-agent.ts), what the proxy itself did wrong —
 * refused, unknown, 407, a tunnel it would not open — is reported as the proxy's, not the receiver's.
 */
import http from 'node:http';
import { describeNetworkError } from '../core/network-error.js';
import { BodyPrefix } from '../http/body-limit.js';
import { watchProxy } from '../http/node-agent.js';
import { type ProxyRoute, proxyLabel, proxyProblemLine } from '../http/proxy-settings.js';

export interface OutgoingRequest {
  url: string;
  method?: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
  timeoutMs: number;
  agent?: http.Agent;
  /** The proxy `agent` goes through, for the words of a failure. */
  proxy?: ProxyRoute;
  /** Ends the exchange at once (Ctrl-C): the result says "interrupted". */
  signal?: AbortSignal;
}

export interface SendResult {
  status?: number;
  headers?: Record<string, string | string[]>;
  /** The response body, cut at `maxResponseBytes`. */
  body?: Buffer;
  bodyTruncated?: boolean;
  durationMs: number;
  /** Why no response arrived, in words for a person (with the fix), or undefined. */
  error?: string;
  errorCode?: 'refused' | 'timeout' | 'dns' | 'reset' | 'tls' | 'proxy' | 'interrupted' | 'other';
  /** The proxy the request went through. */
  proxy?: ProxyRoute;
}

export const MAX_RESPONSE_BYTES = 64 * 1024;

export async function sendRequest(req: OutgoingRequest): Promise<SendResult> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { durationMs: 0, error: `"${req.url}" is not a valid URL`, errorCode: 'other' };
  }
  // node:https (and TLS with it) loads only for an https:// URL: a trigger to a local receiver
  // starts without it.
  const client = url.protocol === 'https:' ? (await import('node:https')).default : http;
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = v;
    headers['content-length'] = String(req.body.byteLength);
    let settled = false;
    const finish = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', interrupt);
      resolve({ ...r, ...(req.proxy ? { proxy: req.proxy } : {}), durationMs: elapsed() });
    };
    const proxyFailed = (what: string) =>
      finish({ error: proxyProblemLine(req.proxy!, url, what), errorCode: 'proxy' });
    const interrupt = () => {
      finish({ error: 'interrupted', errorCode: 'interrupted' });
      outgoing.destroy();
    };
    const outgoing = client.request(url, { method: req.method ?? 'POST', headers, agent: req.agent }, (res) => {
      const refused = verdict.ofAnswer(res);
      if (refused) {
        res.resume();
        return proxyFailed(refused);
      }
      const body = new BodyPrefix(MAX_RESPONSE_BYTES);
      res.on('data', (chunk: Buffer) => body.add(chunk));
      res.on('end', () =>
        finish({
          status: res.statusCode,
          headers: res.headers as Record<string, string | string[]>,
          body: body.bytes,
          bodyTruncated: body.truncated,
        }),
      );
      res.on('error', (err) =>
        finish({
          status: res.statusCode,
          error: describeNetworkError(err, url, 'the receiver').error,
          errorCode: 'reset',
        }),
      );
    });
    // One deadline for the whole exchange, as the platform's 10-second rule means it.
    const timer = setTimeout(() => {
      finish({
        error: `no answer from ${url.host} within ${req.timeoutMs} ms — make the receiver answer faster, or raise --timeout`,
        errorCode: 'timeout',
      });
      outgoing.destroy();
    }, req.timeoutMs);
    const verdict = watchProxy(outgoing, req.proxy);
    outgoing.on('error', (err) => {
      const fault = verdict.ofError(err);
      if (fault) proxyFailed(fault);
      else finish(describeNetworkError(err, url, 'the receiver'));
    });
    if (req.signal?.aborted) return interrupt();
    req.signal?.addEventListener('abort', interrupt, { once: true });
    outgoing.end(req.body);
  });
}

/**
 * After "the receiver answered 502": through a proxy a 502, 503 or 504 may be the proxy's own
 * answer (an http:// request's answer comes from the proxy either way), so the words say so.
 */
export function gatewayNote({ status, proxy }: Pick<SendResult, 'status' | 'proxy'>, url: string): string {
  if (!proxy || status === undefined || status < 502 || status > 504) return '';
  return ` through ${proxyLabel(proxy)}, which answers so itself when it cannot reach ${URL.canParse(url) ? new URL(url).host : url}`;
}
