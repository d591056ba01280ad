/**
 * Judges a check from the answers its requests got: pass or fail, and one line saying why.
 * Pure, so every wording is tested without a server.
 */
import { isSuccessStatus } from '../core/http-status.js';
import type { SendResult } from '../delivery/http-sender.js';
import { formatLimit } from '../format/display.js';
import type { Expectation, ProbeRequest, SmokeCheck, SmokeGroup } from './smoke-checks.js';

/** What one request of a check got back. */
export interface ExchangeOutcome {
  label: string;
  event: string;
  deliveryId: string;
  status: number | null;
  durationMs: number;
  /** The request was correctly signed JSON (see `ProbeRequest.valid`). */
  valid: boolean;
  /** Why no answer arrived (refused, timeout, reset), or null. */
  error: string | null;
  errorCode: SendResult['errorCode'] | null;
  /** The start of the answer's body, for failure reports. */
  responseExcerpt: string;
}

export interface CheckResult {
  id: string;
  group: SmokeGroup;
  title: string;
  expect: Expectation;
  dependsOn?: string;
  passed: boolean;
  reason: string;
  /** Passed, but with something to fix (a slow answer, a 4xx that the platform would retry). */
  warnings: string[];
  /** Not sent at all: the run stopped first (`--bail`, or a receiver not answering in time). */
  notRun: boolean;
  /** Time until the last answer of the check (the sum for multi-request checks). */
  latencyMs: number;
  /** When the check's first request left (each JUnit case carries its own time). */
  startedAt?: Date;
  exchanges: ExchangeOutcome[];
  /** The payload a check found failing (`--fuzz`), shown below its line, wrapped. */
  payload?: string;
}

/** What a verdict needs besides the answers. */
export interface JudgeContext {
  /** The result of the check's `dependsOn`, when it has one. */
  baseline?: CheckResult;
  /** The per-answer deadline (`--timeout`, default the platform's 10 s); half of it warns. */
  timeoutMs?: number;
}

/** The platform's own deadline per delivery attempt. */
export const PLATFORM_TIMEOUT_MS = 10_000;

const EXCERPT_CHARS = 200;

export function toExchangeOutcome(request: ProbeRequest, result: SendResult): ExchangeOutcome {
  const text = result.body ? result.body.subarray(0, EXCERPT_CHARS * 4).toString('utf8') : '';
  return {
    label: request.label,
    event: request.event,
    deliveryId: request.deliveryId,
    valid: request.valid,
    status: result.status ?? null,
    durationMs: result.durationMs,
    error: result.error ?? null,
    errorCode: result.errorCode ?? null,
    responseExcerpt: text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text,
  };
}

export function meetsExpectation(expect: Expectation, status: number): boolean {
  switch (expect) {
    case '2xx':
      return isSuccessStatus(status);
    case '4xx':
      return status >= 400 && status < 500;
    case 'not-5xx':
      return status < 500;
  }
}

/**
 * Pass when every exchange was answered as expected; otherwise the first miss, explained. A
 * passing check still warns about answers slower than half the timeout, and about a 4xx where
 * the check says a 4xx is only a warning.
 */
export function judgeCheck(
  check: SmokeCheck,
  exchanges: readonly ExchangeOutcome[],
  { baseline, timeoutMs = PLATFORM_TIMEOUT_MS }: JudgeContext = {},
): CheckResult {
  const latencyMs = round(exchanges.reduce((sum, e) => sum + e.durationMs, 0));
  const result = (passed: boolean, reason: string, warnings: string[] = []): CheckResult => ({
    ...checkIdentity(check),
    passed,
    reason,
    warnings,
    notRun: false,
    latencyMs,
    exchanges: [...exchanges],
  });
  const prefix = (e: ExchangeOutcome) => (exchanges.length > 1 ? `${e.label}: ` : '');

  for (const e of exchanges) {
    if (e.status === null)
      return result(
        false,
        prefix(e) + (e.errorCode === 'timeout' ? timeoutReason(timeoutMs) : (e.error ?? 'no answer')),
      );
    // A --timeout above the platform's lets a slow answer arrive; the platform would not wait.
    if (e.durationMs > PLATFORM_TIMEOUT_MS) return result(false, prefix(e) + tooLateReason(e.status, e.durationMs));
    if (meetsExpectation(check.expect, e.status)) continue;
    const diagnosed = check.rejectedMeans && meetsExpectation('4xx', e.status) && baseline?.passed;
    return result(false, diagnosed ? check.rejectedMeans! : prefix(e) + explainMiss(check, e.status));
  }
  const warnings: string[] = [];
  const limit = Math.min(timeoutMs, PLATFORM_TIMEOUT_MS);
  for (const e of exchanges) {
    if (e.durationMs > limit / 2) warnings.push(`${prefix(e)}${slowWarning(e.durationMs, limit)}`);
    if (check.warnOn4xx && meetsExpectation('4xx', e.status!))
      warnings.push(`${prefix(e)}answered ${e.status} — ${check.warnOn4xx}`);
  }
  const statuses = exchanges.map((e) => e.status).join(' then ');
  return result(true, `answered ${statuses}`, warnings);
}

/** A check that was never sent, with the reason. */
export function notRunResult(check: SmokeCheck, reason: string): CheckResult {
  return { ...checkIdentity(check), passed: false, reason, warnings: [], notRun: true, latencyMs: 0, exchanges: [] };
}

function checkIdentity(check: SmokeCheck): Pick<CheckResult, 'id' | 'group' | 'title' | 'expect' | 'dependsOn'> {
  return { id: check.id, group: check.group, title: check.title, expect: check.expect, dependsOn: check.dependsOn };
}

function timeoutReason(timeoutMs: number): string {
  const limit = formatLimit(timeoutMs);
  const platform =
    timeoutMs === PLATFORM_TIMEOUT_MS
      ? "the platform's 10 s timeout: it gives up and retries the delivery"
      : `--timeout; the platform gives up after ${formatLimit(PLATFORM_TIMEOUT_MS)} and retries the delivery`;
  return `no answer within ${limit} (${platform}) — answer 2xx first and do the work afterwards (a queue)`;
}

function tooLateReason(status: number, durationMs: number): string {
  return `answered ${status} after ${formatLimit(Math.round(durationMs))}, past the platform's 10 s timeout: it would have given up and retried the delivery — answer 2xx first and do the work afterwards (a queue)`;
}

function slowWarning(durationMs: number, timeoutMs: number): string {
  return `answered in ${formatLimit(Math.round(durationMs))}, over ${formatLimit(timeoutMs / 2)}: close to the ${formatLimit(timeoutMs)} timeout — answer first, process afterwards`;
}

/** Why `status` misses the check's expectation, with the fix. */
function explainMiss(check: SmokeCheck, status: number): string {
  const answered = `answered ${status}`;
  if (status >= 300 && status < 400)
    return `${answered}: redirects are not followed — point --url at the final address`;
  if (check.expect === '2xx') {
    if (status === 404 || status === 405)
      return `${answered}: check the path and that the receiver accepts POST at --url`;
    if (status >= 500) return `${answered}: the receiver failed on a valid delivery — ${check.hint}`;
    return `${answered} — ${check.hint}`;
  }
  if (check.expect === '4xx') {
    if (isSuccessStatus(status)) return `${answered}: the receiver accepted it — ${check.hint}`;
    if (status >= 500) return `${answered}: an invalid request must be rejected with a 4xx (401), not an error`;
    return `${answered}, expected a 4xx — ${check.hint}`;
  }
  return `${answered} — ${check.hint}`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * Fails a passed check whose `dependsOn` check (run earlier) failed: a receiver that rejects
 * everything (a wrong secret, a wrong path) would otherwise pass every rejection check.
 */
export function applyDependency(result: CheckResult, earlier: readonly CheckResult[]): CheckResult {
  const baseline = result.dependsOn ? earlier.find((r) => r.id === result.dependsOn) : undefined;
  // Only a rejection needs its baseline: an accepted valid delivery means something on its own.
  if (result.expect !== '4xx' || !result.passed || !baseline || baseline.passed || baseline.notRun) return result;
  return {
    ...result,
    passed: false,
    reason: `${result.reason}, but that proves nothing: ${baseline.id} failed too (${baseline.reason})`,
  };
}
