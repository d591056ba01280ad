/**
 * When the client tries a request again, decided in one place (pure). A 429 or 503 that names
 * its `Retry-After` is waited out, within a few tries and a minute in all. A connection reset
 * before the answer is retried once for GET and DELETE only: a POST or PATCH body may already
 * have reached the server, and sending it twice could create or change something twice.
 */

/** Tries of one request in all, the first included. */
export const MAX_TRIES = 3;
/** Time spent waiting out Retry-After across the tries of one request. */
export const MAX_TOTAL_WAIT_MS = 60_000;

const WAITED_OUT_STATUSES = new Set([429, 503]);
const RESENDABLE_METHODS = new Set(['GET', 'DELETE', 'HEAD']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * The wait a `Retry-After` value asks for, in ms: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or unreadable; a date in the past is no wait.
 */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface AnswerRetry {
  waitMs: number;
}

/** Whether to wait and ask again after an answer with `status`, on try `tries` having waited `waitedMs`. */
export function retryAfterAnswer(
  status: number,
  retryAfter: string | string[] | undefined,
  tries: number,
  waitedMs: number,
  now = Date.now(),
): AnswerRetry | undefined {
  if (!WAITED_OUT_STATUSES.has(status) || tries >= MAX_TRIES) return undefined;
  const waitMs = retryAfterMs(retryAfter, now);
  if (waitMs === undefined || waitedMs + waitMs > MAX_TOTAL_WAIT_MS) return undefined;
  return { waitMs };
}

/** The connection closed under a request before an answer came. */
export function isConnectionReset(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return RESET_CODES.has(e?.code ?? '') || RESET_CODES.has(e?.cause?.code ?? '');
}

/** A reset request is sent once more only if it carries no body the server may have acted on. */
export function resendAfterReset(method: string, resets: number): boolean {
  return RESENDABLE_METHODS.has(method) && resets === 0;
}
