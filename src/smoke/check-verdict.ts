/**
 * Judges a check from the answers its requests got: pass or fail, and one line saying why.
 * Pure, so every wording is tested without a server.
 */
import { isSuccessStatus } from '../core/http-status.js';
import type { SendResult } from '../delivery/http-sender.js';
import type { Expectation, ProbeRequest, SmokeCheck, SmokeGroup } from './smoke-checks.js';

/** What one request of a check got back. */
export interface ExchangeOutcome {
  label: string;
  event: string;
  deliveryId: string;
  status: number | null;
  durationMs: number;
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
  /** Time until the last answer of the check (the sum for multi-request checks). */
  latencyMs: number;
  exchanges: ExchangeOutcome[];
}

const EXCERPT_CHARS = 200;

export function toExchangeOutcome(request: ProbeRequest, result: SendResult): ExchangeOutcome {
  const text = result.body ? result.body.subarray(0, EXCERPT_CHARS * 4).toString('utf8') : '';
  return {
    label: request.label,
    event: request.event,
    deliveryId: request.deliveryId,
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

/** Pass when every exchange was answered as expected; otherwise the first miss, explained. */
export function judgeCheck(check: SmokeCheck, exchanges: readonly ExchangeOutcome[]): CheckResult {
  const latencyMs = round(exchanges.reduce((sum, e) => sum + e.durationMs, 0));
  const result = (passed: boolean, reason: string): CheckResult => ({
    id: check.id,
    group: check.group,
    title: check.title,
    expect: check.expect,
    dependsOn: check.dependsOn,
    passed,
    reason,
    latencyMs,
    exchanges: [...exchanges],
  });
  const prefix = (e: ExchangeOutcome) => (exchanges.length > 1 ? `${e.label}: ` : '');

  for (const e of exchanges) {
    if (e.status === null) return result(false, prefix(e) + (e.error ?? 'no answer'));
    if (!meetsExpectation(check.expect, e.status)) return result(false, prefix(e) + explainMiss(check, e.status));
  }
  const statuses = exchanges.map((e) => e.status).join(' then ');
  return result(true, `answered ${statuses}`);
}

/** Why `status` misses the check's expectation, with the fix. */
function explainMiss(check: SmokeCheck, status: number): string {
  const answered = `answered ${status}`;
  if (status >= 300 && status < 400) return `${answered}: redirects are not followed — point --url at the final address`;
  if (check.expect === '2xx') {
    if (status === 404 || status === 405) return `${answered}: check the path and that the receiver accepts POST at --url`;
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
  if (!result.passed || !baseline || baseline.passed) return result;
  return { ...result, passed: false, reason: `${result.reason}, but that proves nothing: ${baseline.id} failed too (${baseline.reason})` };
}
