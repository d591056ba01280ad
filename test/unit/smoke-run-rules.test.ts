/** The pure rules around a smoke run: scheduling and stopping, patterns, the processed count. */
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/doctor/verdict.js';
import { runChecks } from '../../src/smoke/check-runner.js';
import { type CheckResult, type ExchangeOutcome, judgeCheck } from '../../src/smoke/check-verdict.js';
import { expectedProcessed, judgeProcessedCount } from '../../src/smoke/processed-count.js';
import {
  CATCH_ALL,
  detectPatterns,
  signatureChecksFailed,
  WRONG_SECRET,
  withDiagnosis,
} from '../../src/smoke/receiver-patterns.js';
import { planSmokeChecks, type SmokeCheck } from '../../src/smoke/smoke-checks.js';

const checks = planSmokeChecks({
  events: ['catalog.product.created', 'customer.cart.added'],
  secret: 's',
  userAgent: 'test',
});
const outcome = (status: number | null, deliveryId = 'dlv_1', valid = true): ExchangeOutcome => ({
  label: 'r',
  event: 'e',
  deliveryId,
  valid,
  status,
  durationMs: 1,
  error: status === null ? 'timeout' : null,
  errorCode: status === null ? 'timeout' : null,
  responseExcerpt: '',
});
/** Judges every check as if each request were answered `statusFor(check)`. */
const answeredAll = (statusFor: (c: SmokeCheck) => number | null) =>
  checks.map((c) =>
    judgeCheck(
      c,
      c.requests.map((r) => outcome(statusFor(c), r.deliveryId, r.valid)),
    ),
  );

describe('runChecks', () => {
  it('runs at most `concurrency` at once, hands each its baseline, and reports in plan order', async () => {
    let inFlight = 0;
    let most = 0;
    const reported: string[] = [];
    const baselines: Record<string, string | undefined> = {};
    const { results, stopped } = await runChecks(checks, {
      concurrency: 3,
      bail: false,
      maxConsecutiveTimeouts: 3,
      notRunReason: () => 'not run',
      runCheck: async (check, baseline) => {
        most = Math.max(most, ++inFlight);
        // Later checks finish first: the report must still come in plan order.
        await new Promise((resolve) => setTimeout(resolve, checks.length - checks.indexOf(check)));
        inFlight--;
        baselines[check.id] = (await baseline())?.id;
        return judgeCheck(
          check,
          check.requests.map(() => outcome(check.expect === '4xx' ? 401 : 200)),
        );
      },
      onCheckDone: (r) => reported.push(r.id),
    });
    expect(stopped).toBeUndefined();
    expect(most).toBe(3);
    expect(reported).toEqual(checks.map((c) => c.id));
    expect(results.every((r) => r.passed)).toBe(true);
    expect(baselines['signature.wrong']).toBe('delivery.catalog.product.created');
    expect(baselines['raw-body.unicode-escapes']).toBe('raw-body.non-ascii');
  });

  it('stops after three time-outs in a row, or at the first failure with bail, marking the rest not run', async () => {
    const run = (bail: boolean, status: number | null) =>
      runChecks(checks, {
        concurrency: 1,
        bail,
        maxConsecutiveTimeouts: 3,
        notRunReason: (stop) => `not run: ${stop}`,
        runCheck: async (check) =>
          judgeCheck(
            check,
            check.requests.map(() => outcome(status)),
          ),
      });
    const timeouts = await run(false, null);
    expect(timeouts.stopped).toBe('timeouts');
    expect(timeouts.results.map((r) => r.notRun)).toEqual(checks.map((_, i) => i >= 3));
    expect(timeouts.results[3]).toMatchObject({
      passed: false,
      notRun: true,
      reason: 'not run: timeouts',
      exchanges: [],
    });
    // Four at a time against a receiver that answers nothing: the four started together end
    // before another starts, so the run stops after one wait.
    const together = await runChecks(checks, {
      concurrency: 4,
      bail: false,
      maxConsecutiveTimeouts: 3,
      notRunReason: () => 'not run',
      runCheck: async (check) => {
        await new Promise((resolve) => setTimeout(resolve, 5 + checks.indexOf(check)));
        return judgeCheck(
          check,
          check.requests.map(() => outcome(null)),
        );
      },
    });
    expect(together.results.filter((r) => !r.notRun)).toHaveLength(4);
    const bailed = await run(true, 500);
    expect(bailed.stopped).toBe('bail');
    expect(bailed.results.filter((r) => !r.notRun)).toHaveLength(1);
  });
});

describe('detectPatterns', () => {
  it('names a catch-all 200', () => {
    expect(detectPatterns(answeredAll(() => 200)).map((p) => p.message)).toEqual([CATCH_ALL]);
  });

  it('names a wrong secret when every signed delivery is 401', () => {
    expect(detectPatterns(answeredAll(() => 401))).toEqual([{ id: 'wrong-secret', message: WRONG_SECRET }]);
  });

  it('names 401 only on non-ASCII text', () => {
    const results = answeredAll((c) => (c.id === 'raw-body.non-ascii' || c.expect === '4xx' ? 401 : 200));
    expect(detectPatterns(results).map((p) => p.id)).toEqual(['non-ascii']);
    expect(detectPatterns(results)[0]!.message).toMatch(
      /^401 only on non-ASCII text: rejects only the payload with non-ASCII text/,
    );
  });

  it('names nothing for a correct receiver', () => {
    expect(detectPatterns(answeredAll((c) => (c.expect === '4xx' ? 401 : 200)))).toEqual([]);
  });
});

describe('the processed count', () => {
  const results: CheckResult[] = answeredAll((c) =>
    c.expect === '4xx' ? 401 : c.id === 'robustness.non-json-body' ? 400 : 200,
  );

  it('expects the distinct valid deliveries acknowledged: duplicates once, rejected probes not at all', () => {
    // 2 events, 6 raw-body forms, the retried and the doubled delivery once each, the lifecycle pair.
    expect(expectedProcessed(results)).toEqual({ expected: 12, unknown: 0 });
  });

  it('says what a difference means', () => {
    expect(judgeProcessedCount(10, 22, { expected: 12, unknown: 0 })).toMatchObject({
      passed: true,
      reason: expect.stringMatching(/^processed 12, as expected/),
    });
    expect(judgeProcessedCount(3, 30, { expected: 24, unknown: 0 }).reason).toMatch(
      /^processed 27, expected 24: 3 duplicate deliveries were processed twice — /,
    );
    expect(judgeProcessedCount(0, 25, { expected: 24, unknown: 0 }).reason).toMatch(
      /^processed 25, expected 24: 1 duplicate delivery was processed twice — /,
    );
    expect(judgeProcessedCount(0, 20, { expected: 24, unknown: 0 })).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/^processed 20, expected 24: 4 valid deliveries were dropped — /),
    });
    // A delivery that got no answer may have been processed or not.
    expect(judgeProcessedCount(0, 25, { expected: 24, unknown: 1 }).passed).toBe(true);
    expect(judgeProcessedCount(0, 24, { expected: 24, unknown: 1 }).passed).toBe(true);
  });
});

describe('the doctor in a smoke run', () => {
  const diagnosis = (verdict: Diagnosis['verdict'], cause: Diagnosis['cause']): Diagnosis => ({
    verdict,
    cause,
    summary: 'what it found',
    fix: 'what to do',
    tried: [],
  });

  it('runs when a valid delivery is rejected or a bad signature accepted, not for a correct receiver', () => {
    expect(signatureChecksFailed(answeredAll(() => 401))).toBe(true);
    expect(signatureChecksFailed(answeredAll(() => 200))).toBe(true);
    expect(signatureChecksFailed(answeredAll((c) => (c.expect === '4xx' ? 401 : 200)))).toBe(false);
    // A 5xx on a valid delivery is a crash, not a signature problem.
    expect(signatureChecksFailed(answeredAll((c) => (c.expect === '4xx' ? 401 : 500)))).toBe(false);
  });

  it('leads with a cause it found and drops the guesses', () => {
    const guessed = detectPatterns(answeredAll(() => 401));
    expect(withDiagnosis(guessed, diagnosis('broken', 'reserialised-python'))).toEqual([
      { id: 'doctor', message: 'doctor: reserialised-python: what it found — fix: what to do' },
    ]);
  });

  it('keeps "another secret" only when the doctor reached it', () => {
    const guessed = detectPatterns(answeredAll(() => 401));
    expect(withDiagnosis(guessed, diagnosis('ok', 'ok'))).toEqual([]);
    expect(withDiagnosis(guessed, diagnosis('broken', 'wrong-secret')).map((p) => p.id)).toEqual(['doctor']);
    expect(withDiagnosis(guessed, undefined)).toEqual(guessed);
  });
});
