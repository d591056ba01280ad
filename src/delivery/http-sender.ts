/**
 * Sends one HTTP request with node:http(s) and reports what happened, never throwing.
 * node:http rather than undici here because `trigger` must start fast (undici costs ~30 ms to load).
 */
import http from 'node:http';
import https from 'node:https';

export interface OutgoingRequest {
  url: string;
  method?: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
  timeoutMs: number;
  agent?: http.Agent;
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
  errorCode?: 'refused' | 'timeout' | 'dns' | 'reset' | 'tls' | 'interrupted' | 'other';
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
      resolve({ ...r, durationMs: elapsed() });
    };
    const interrupt = () => {
      finish({ error: 'interrupted', errorCode: 'interrupted' });
      outgoing.destroy();
    };
    const outgoing = client.request(url, { method: req.method ?? 'POST', headers, agent: req.agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
        if (size + chunk.length > MAX_RESPONSE_BYTES) truncated = true;
        size += chunk.length;
      });
      res.on('end', () => finish({ status: res.statusCode, headers: res.headers as Record<string, string | string[]>, body: Buffer.concat(chunks), bodyTruncated: truncated }));
      res.on('error', (err) => finish({ status: res.statusCode, error: describeNetworkError(err, url).error, errorCode: 'reset' }));
    });
    // One deadline for the whole exchange, as the platform's 10-second rule means it.
    const timer = setTimeout(() => {
      finish({ error: `no answer from ${url.host} within ${req.timeoutMs} ms — make the receiver answer faster, or raise --timeout`, errorCode: 'timeout' });
      outgoing.destroy();
    }, req.timeoutMs);
    outgoing.on('error', (err) => finish(describeNetworkError(err, url)));
    if (req.signal?.aborted) return interrupt();
    req.signal?.addEventListener('abort', interrupt, { once: true });
    outgoing.end(req.body);
  });
}

function describeNetworkError(err: NodeJS.ErrnoException, url: URL): Pick<SendResult, 'error' | 'errorCode'> {
  switch (err.code) {
    case 'ECONNREFUSED':
      return { error: `connection refused by ${url.host} — is the receiver running on that port?`, errorCode: 'refused' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: `cannot resolve host "${url.hostname}" — check the URL`, errorCode: 'dns' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { error: `${url.host} closed the connection before answering`, errorCode: 'reset' };
    default:
      if (err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT')) return { error: `TLS error with ${url.host}: ${err.message}`, errorCode: 'tls' };
      return { error: `request to ${url.host} failed: ${err.message}`, errorCode: 'other' };
  }
}
