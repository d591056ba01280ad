/**
 * The figures of a load run, kept as it goes: counts by outcome and status, latency percentiles in
 * HDR histograms (node:perf_hooks' `createHistogram`, HdrHistogram_c inside Node itself: constant
 * memory and cost whatever the number of answers, rather than an array of every sample), and a
 * per-second timeline whose counts add up to the totals. A second's histogram is dropped once all
 * it sent has been answered, so a run of an hour keeps a dozen at most.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { isSuccessStatus } from '../core/http-status.js';

/** The platform gives a receiver 10 s to answer; slower answers are retried (platform-webhooks.md). */
export const PLATFORM_TIMEOUT_MS = 10_000;

/** Latencies are recorded in microseconds, up to a day. */
const HIGHEST_US = 86_400_000_000;

/** How a request ended; `durationMs` is from the moment it went out, what the platform's timeout measures. */
export interface AnswerFacts {
  status?: number;
  errorCode?: string;
  durationMs: number;
}

export interface LatencyFigures {
  /** Answers measured (requests with no answer have no latency). */
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface TimelineSecond {
  /** Seconds from the start of the run: this entry is what went out in [second, second + 1). */
  second: number;
  sent: number;
  succeeded: number;
  /** Answered but not 2xx, or no answer. */
  failed: number;
  /** Of the answers to what went out in this second, in ms; null when none was answered. */
  p50: number | null;
  p99: number | null;
}

/** What the live line shows. */
export interface LiveFigures {
  elapsedMs: number;
  /** Sent in the last whole second. */
  ratePerSecond: number;
  inFlight: number;
  /** Of the answers in the last whole second, in ms; null when none came. */
  p50: number | null;
  p99: number | null;
  /** Failures so far by cause (`timeout`, `refused`, `503`…), most first. */
  errors: Array<[cause: string, count: number]>;
}

interface Second {
  sent: number;
  succeeded: number;
  failed: number;
  /** Sent in this second and not answered yet. */
  open: number;
  histogram?: RecordableHistogram;
  p50: number | null;
  p99: number | null;
}

const newHistogram = (figures: number) => createHistogram({ lowest: 1, highest: HIGHEST_US, figures });
const toMicros = (ms: number) => Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
const toMs = (us: number) => Math.round(us) / 1000;

export class LoadStats {
  readonly #startedAt: number;
  readonly #timeoutMs: number;
  readonly #overall = newHistogram(3);
  readonly #seconds: Second[] = [];
  /** Seconds before this one are closed (their percentiles computed, their histogram dropped). */
  #firstOpen = 0;
  /** Answers of the current second and of the one before it, for the live line. */
  #answering = { second: 0, histogram: newHistogram(2) };
  #answered = { second: -1, histogram: newHistogram(2) };
  sent = 0;
  duplicates = 0;
  succeeded = 0;
  /** Answered, but not 2xx. */
  failedStatus = 0;
  /** No answer at all (refused, timeout, reset, interrupted). */
  errors = 0;
  /** Answers slower than the platform's 10 s timeout, and requests that timed out waiting that long. */
  platformTimeouts = 0;
  inFlight = 0;
  readonly statusCounts: Record<string, number> = {};

  /** `startedAt`: the run's start on performance.now()'s clock; `timeoutMs`: the run's --timeout. */
  constructor(startedAt: number, timeoutMs: number) {
    this.#startedAt = startedAt;
    this.#timeoutMs = timeoutMs;
  }

  /** A request went out at `at`; the second it returns goes back to `answered`. */
  wentOut(at: number, duplicate: boolean): number {
    const index = Math.max(0, Math.floor((at - this.#startedAt) / 1000));
    const second = this.#second(index);
    second.sent++;
    second.open++;
    this.sent++;
    if (duplicate) this.duplicates++;
    this.inFlight++;
    return index;
  }

  /**
   * The request sent in second `index` ended at `at`, as `facts` say; `latencyMs` counts from the
   * moment it was due (open model) or went out (closed model).
   */
  answered(index: number, facts: AnswerFacts, latencyMs: number, at: number): void {
    this.inFlight--;
    const second = this.#seconds[index]!;
    second.open--;
    const key = facts.status === undefined ? (facts.errorCode ?? 'error') : String(facts.status);
    this.statusCounts[key] = (this.statusCounts[key] ?? 0) + 1;
    if (facts.status !== undefined && isSuccessStatus(facts.status)) {
      this.succeeded++;
      second.succeeded++;
    } else {
      second.failed++;
      if (facts.status === undefined) this.errors++;
      else this.failedStatus++;
    }
    const tooSlow =
      facts.durationMs > PLATFORM_TIMEOUT_MS ||
      (facts.errorCode === 'timeout' && this.#timeoutMs >= PLATFORM_TIMEOUT_MS);
    if (tooSlow) this.platformTimeouts++;
    if (facts.status !== undefined) {
      const us = toMicros(latencyMs);
      this.#overall.record(us);
      second.histogram ??= newHistogram(2);
      second.histogram.record(us);
      this.#answerWindow(at).record(us);
    }
    if (second.open === 0) this.#close(at);
  }

  live(now: number): LiveFigures {
    const elapsedMs = now - this.#startedAt;
    const current = Math.floor(elapsedMs / 1000);
    this.#answerWindow(now);
    const window = this.#answered.second === current - 1 ? this.#answered.histogram : undefined;
    const errors = Object.entries(this.statusCounts)
      .filter(([key]) => !/^2\d\d$/.test(key))
      .sort((a, b) => b[1] - a[1]);
    return {
      elapsedMs,
      ratePerSecond: this.#seconds[current - 1]?.sent ?? 0,
      inFlight: this.inFlight,
      p50: window?.count ? toMs(window.percentile(50)) : null,
      p99: window?.count ? toMs(window.percentile(99)) : null,
      errors,
    };
  }

  latency(): LatencyFigures {
    const h = this.#overall;
    if (h.count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    return {
      count: h.count,
      p50: toMs(h.percentile(50)),
      p90: toMs(h.percentile(90)),
      p99: toMs(h.percentile(99)),
      max: toMs(h.max),
    };
  }

  /** Every second from the start to the last one that sent anything. */
  timeline(): TimelineSecond[] {
    return Array.from({ length: this.#seconds.length }, (_, index) => {
      const s = this.#second(index);
      const closed = s.histogram ? closedPercentiles(s.histogram) : { p50: s.p50, p99: s.p99 };
      return { second: index, sent: s.sent, succeeded: s.succeeded, failed: s.failed, ...closed };
    });
  }

  #second(index: number): Second {
    for (let i = this.#seconds.length; i <= index; i++)
      this.#seconds.push({ sent: 0, succeeded: 0, failed: 0, open: 0, p50: null, p99: null });
    return this.#seconds[index]!;
  }

  /** Keeps the percentiles of the seconds that are over and fully answered, and drops their histograms. */
  #close(now: number): void {
    const current = Math.floor((now - this.#startedAt) / 1000);
    while (this.#firstOpen < current && this.#firstOpen < this.#seconds.length) {
      const s = this.#seconds[this.#firstOpen]!;
      if (s.open > 0) return;
      if (s.histogram) Object.assign(s, closedPercentiles(s.histogram), { histogram: undefined });
      this.#firstOpen++;
    }
  }

  /** The histogram of the answers arriving in the second of `at`, swapping windows as seconds pass. */
  #answerWindow(at: number): RecordableHistogram {
    const second = Math.floor((at - this.#startedAt) / 1000);
    if (second !== this.#answering.second) {
      const spare = this.#answered.histogram;
      spare.reset();
      this.#answered = this.#answering;
      this.#answering = { second, histogram: spare };
    }
    return this.#answering.histogram;
  }
}

function closedPercentiles(h: RecordableHistogram): { p50: number | null; p99: number | null } {
  return h.count ? { p50: toMs(h.percentile(50)), p99: toMs(h.percentile(99)) } : { p50: null, p99: null };
}
