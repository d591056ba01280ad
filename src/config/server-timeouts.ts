/**
 * How long the tool's HTTP servers (`listen`, `serve`, `relay`) give a client to send a request.
 * A slow or stalled client (slowloris) is cut off instead of holding a connection forever.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Headers come first and are small: a client gets at most this long for them. */
const MAX_HEADERS_TIMEOUT_MS = 10_000;

/** node:http server options for a whole-request deadline of `requestTimeoutMs`. */
export function serverTimeouts(requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
  const headersTimeout = Math.min(MAX_HEADERS_TIMEOUT_MS, requestTimeoutMs);
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout,
    keepAliveTimeout: 5_000,
    // How often node checks the two deadlines; its default (30 s) would let them slip.
    connectionsCheckingInterval: Math.min(1_000, Math.max(50, headersTimeout / 2)),
  };
}
