/**
 * The shape of a `trigger` load run, from its flags: how many deliveries go, when each is due, and
 * how many may be in flight. Pure. With `--rate` the run is an open model (as wrk2's and k6's
 * constant-arrival-rate): delivery i is due i / rate seconds after the start, whatever the
 * receiver does; without it, a closed one: each connection sends its next as soon as it is answered.
 */

export interface LoadFlags {
  /** Deliveries in one round: the event types (or fixtures, or scenario steps) given. */
  perRound: number;
  /** `--count`: rounds. */
  count?: number;
  /** `--rate`: deliveries a second. */
  rate?: number;
  /** `--duration`, in ms. */
  durationMs?: number;
}

/**
 * How many deliveries the run sends: every round of `--count`, or as many as `--rate` schedules
 * within `--duration` (the smaller when both are given); undefined when only the duration ends it.
 */
export function plannedTotal({ perRound, count, rate, durationMs }: LoadFlags): number | undefined {
  const counted = count === undefined ? undefined : perRound * count;
  const scheduled = rate !== undefined && durationMs !== undefined ? Math.floor((rate * durationMs) / 1000) : undefined;
  if (counted === undefined) return scheduled;
  return scheduled === undefined ? counted : Math.min(counted, scheduled);
}

/** When delivery `position` (from 0) is due, in ms from the start of an open-model run. */
export function dueAtMs(position: number, rate: number): number {
  return (position * 1000) / rate;
}

/** Requests in flight a `--rate` run allows when `--concurrency` is not given. */
export const RATE_CONCURRENCY_LIMIT = 1000;

/**
 * The default cap on requests in flight for `--rate`: enough for every delivery of one timeout
 * window to wait at once (rate × timeout), so a receiver that stalls up to the timeout still gets
 * its deliveries on schedule; at most `RATE_CONCURRENCY_LIMIT`.
 */
export function defaultRateConcurrency(rate: number, timeoutMs: number): number {
  return Math.max(1, Math.min(RATE_CONCURRENCY_LIMIT, Math.ceil((rate * timeoutMs) / 1000)));
}

/** A delivery that goes out this much after its due time is late. */
export const LATE_AFTER_MS = 100;

/**
 * Whether a run kept to its schedule: a busy machine makes a few deliveries late by a hiccup, but
 * more than 1 % late, or any a second behind, means the rate asked for was not the rate sent.
 */
export function scheduleKept({ late, maxBehindMs }: { late: number; maxBehindMs: number }, sent: number): boolean {
  return late <= sent * 0.01 && maxBehindMs < 1000;
}
