/**
 * The emulator's retry policy, as the platform document states it: an immediate retry for a
 * 5xx answer, exponential backoff for other failures, at most 5 retries, the last within 24 h
 * of the first attempt. Pure: the delivery engine asks it what to do after each failed attempt.
 *
 * The exact schedule (delays before each retry, unscaled):
 *
 * | retry | after a 5xx answer | after any other failure |
 * |---|---|---|
 * | 1 | immediately | 1 min |
 * | 2 | 5 min | 5 min |
 * | 3 | 25 min | 25 min |
 * | 4 | 2 h 5 min | 2 h 5 min |
 * | 5 | 10 h 25 min | 10 h 25 min |
 *
 * So the sixth and last attempt starts at most 13 h 1 min (plus the attempts' own durations,
 * at most 6 × 10 s) after the first: inside the document's 24 hours.
 */

/** Retries after the first attempt; 6 attempts in all. */
export const MAX_RETRIES = 5;

/** Backoff of retry n (1-based) is `BASE × FACTOR^(n-1)`. */
export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_FACTOR = 5;

/** The document's promise: every retry happens within this long of the first attempt. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Consecutive failed attempts after which the engine disables a webhook. */
export const DISABLE_AFTER_CONSECUTIVE_FAILURES = 100;

/** How an attempt failed, as far as the schedule cares. */
export type FailureKind = 'server-error' | 'other';

/** A 5xx answer is a server error; any other status, a timeout or a network error is "other". */
export function failureKindOf(status: number | undefined): FailureKind {
  return status !== undefined && status >= 500 && status <= 599 ? 'server-error' : 'other';
}

/**
 * The delay in milliseconds before retry `retry` (1-based) after a failure of `kind`, or
 * `undefined` when no retry is left. `timeScale` multiplies every delay (`serve --time-scale`).
 */
export function retryDelayMs(retry: number, kind: FailureKind, timeScale = 1): number | undefined {
  if (!Number.isInteger(retry) || retry < 1 || retry > MAX_RETRIES) return undefined;
  if (retry === 1 && kind === 'server-error') return 0;
  return BACKOFF_BASE_MS * BACKOFF_FACTOR ** (retry - 1) * timeScale;
}

/**
 * When each of the six attempts starts, relative to the first, if every attempt fails with
 * `kind` and takes no time. For the README table and the tests.
 */
export function attemptOffsetsMs(kind: FailureKind, timeScale = 1): number[] {
  const offsets = [0];
  for (let retry = 1; retry <= MAX_RETRIES; retry++)
    offsets.push(offsets[retry - 1]! + retryDelayMs(retry, kind, timeScale)!);
  return offsets;
}
