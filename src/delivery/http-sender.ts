/**
 * Sends one HTTP request with node:http(s) and reports what happened, never throwing.
 * node:http rather than undici here because `trigger` must start fast (undici costs ~30 ms to load).
 * Through a forward proxy (the agent from http/node-agent.ts), what the proxy itself did wrong —
 * refused, unknown, 407, a tunnel it would not open — is reported as the proxy's, not the receiver's.
 */
import http from 'node:http';
import https from 'node:https';
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

export function sendRequest(req: OutgoingRequest): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      resolve({ durationMs: 0, error: `"${req.url}" is not a valid URL`, errorCode: 'other' });
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
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
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
        if (size + chunk.length > MAX_RESPONSE_BYTES) truncated = true;
        size += chunk.length;
      });
      res.on('end', () =>
        finish({
          status: res.statusCode,
          headers: res.headers as Record<string, string | string[]>,
          body: Buffer.concat(chunks),
          bodyTruncated: truncated,
        }),
      );
      res.on('error', (err) =>
        finish({ status: res.statusCode, error: describeNetworkError(err, url).error, errorCode: 'reset' }),
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
      else finish(describeNetworkError(err, url));
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

/** Why a request got no answer, in words for a person with the fix, from its network error. */
export function describeNetworkError(err: NodeJS.ErrnoException, url: URL): Pick<SendResult, 'error' | 'errorCode'> {
  switch (err.code) {
    case 'ECONNREFUSED':
      return {
        error: `connection refused by ${url.host} — is the receiver running on that port?`,
        errorCode: 'refused',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: `cannot resolve host "${url.hostname}" — check the URL`, errorCode: 'dns' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { error: `${url.host} closed the connection before answering`, errorCode: 'reset' };
    case 'EPROTO':
      // OpenSSL's "wrong version number": the answer to our TLS hello was plain HTTP.
      if (url.protocol === 'https:' && /wrong version number|packet length too long|http request/i.test(err.message)) {
        return {
          error: `${url.host} does not speak TLS — it looks like a plain-HTTP server; use http://${url.host}${url.pathname}${url.search}`,
          errorCode: 'tls',
        };
      }
      return { error: `TLS error with ${url.host}: ${err.message}`, errorCode: 'tls' };
    default:
      if (err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT'))
        return { error: `TLS error with ${url.host}: ${err.message}`, errorCode: 'tls' };
      return { error: `request to ${url.host} failed: ${err.message}`, errorCode: 'other' };
  }
}
