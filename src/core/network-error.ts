/**
 * A failed connection in words: the one sentence every sender of the tool (trigger's and replay's
 * sender, listen's forwarder, the emulator's delivery attempts, the relay tunnel) prints for it,
 * from the error code node:http, undici or ws gives.
 */

/** The kinds of failure a user fixes differently; `errorCode` in `--json` output. */
export type NetworkErrorCode = 'refused' | 'dns' | 'reset' | 'tls' | 'timeout' | 'other';

export interface NetworkErrorWords {
  /** One sentence naming the cause and, where there is one, the next step. */
  error: string;
  errorCode: NetworkErrorCode;
}

/** The error code of `err` or of its cause (undici wraps socket errors in a `TypeError: fetch failed`). */
export function networkErrorCodeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What went wrong reaching `url`, which `peer` (`the receiver`, `the app`, `the relay`) serves.
 * Never throws, whatever `err` is.
 */
export function describeNetworkError(err: unknown, url: URL, peer: string): NetworkErrorWords {
  const code = networkErrorCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { error: `connection refused by ${url.host} — is ${peer} running on that port?`, errorCode: 'refused' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { error: `cannot resolve host "${url.hostname}" — check the URL`, errorCode: 'dns' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { error: `${url.host} closed the connection before answering`, errorCode: 'reset' };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return {
        error: `could not connect to ${url.host} in time — is ${peer} reachable from here?`,
        errorCode: 'timeout',
      };
    case 'EPROTO':
      // OpenSSL's "wrong version number": the answer to our TLS hello was plain HTTP.
      if (url.protocol.startsWith('https') || url.protocol === 'wss:') {
        if (/wrong version number|packet length too long|http request/i.test(message)) {
          const plain = url.protocol === 'wss:' ? 'ws' : 'http';
          return {
            error: `${url.host} does not speak TLS — it looks like a plain-HTTP server; use ${plain}://${url.host}${url.pathname}${url.search}`,
            errorCode: 'tls',
          };
        }
      }
      return { error: `TLS error with ${url.host}: ${message}`, errorCode: 'tls' };
    default:
      if (code?.startsWith('ERR_TLS') || code?.includes('CERT'))
        return { error: `TLS error with ${url.host}: ${message}`, errorCode: 'tls' };
      return { error: `request to ${url.host} failed: ${message}`, errorCode: 'other' };
  }
}
