/** The chart's data: seconds of traffic by status class, merged as batches arrive. */
import type { SecondOfActivity } from '../inspector/wire.js';

/** How many seconds the chart shows. */
export const CHART_SECONDS = 60;

export type Activity = ReadonlyMap<number, SecondOfActivity>;

/** `seconds` added to `past` (the same second from two batches summed; its mean weighted), the oldest beyond the chart dropped. */
export function mergeActivity(past: Activity, seconds: readonly SecondOfActivity[], now: number): Activity {
  const merged = new Map(past);
  for (const s of seconds) {
    const old = merged.get(s.second);
    merged.set(s.second, old ? combine(old, s) : s);
  }
  for (const second of merged.keys()) if (second <= now - CHART_SECONDS * 2) merged.delete(second);
  return merged;
}

function combine(a: SecondOfActivity, b: SecondOfActivity): SecondOfActivity {
  const timed = (s: SecondOfActivity) => (s.meanMs === null ? 0 : s.total);
  const weight = timed(a) + timed(b);
  return {
    second: a.second,
    total: a.total + b.total,
    ok: a.ok + b.ok,
    redirect: a.redirect + b.redirect,
    clientError: a.clientError + b.clientError,
    serverError: a.serverError + b.serverError,
    other: a.other + b.other,
    meanMs: weight ? ((a.meanMs ?? 0) * timed(a) + (b.meanMs ?? 0) * timed(b)) / weight : null,
    maxMs: a.maxMs === null ? b.maxMs : b.maxMs === null ? a.maxMs : Math.max(a.maxMs, b.maxMs),
  };
}

/** The last CHART_SECONDS seconds up to `now`, oldest first, a zero second where nothing arrived. */
export function chartSeconds(activity: Activity, now: number): SecondOfActivity[] {
  return Array.from({ length: CHART_SECONDS }, (_, i) => {
    const second = now - CHART_SECONDS + 1 + i;
    return (
      activity.get(second) ?? {
        second,
        total: 0,
        ok: 0,
        redirect: 0,
        clientError: 0,
        serverError: 0,
        other: 0,
        meanMs: null,
        maxMs: null,
      }
    );
  });
}
