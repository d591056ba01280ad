import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { verify } from '../../src/core/signature.js';
import { palette } from '../../src/format/display.js';
import { applyDependency, type ExchangeOutcome, judgeCheck, notRunResult } from '../../src/smoke/check-verdict.js';
import { planSmokeChecks, type SmokeCheck } from '../../src/smoke/smoke-checks.js';
import { checkLine, humanSummary, reportJson, reportJUnit, totalsLine } from '../../src/smoke/smoke-report.js';
import type { SmokeReport } from '../../src/smoke/smoke-run.js';

const secret = 's3cret';
const plan = (events: readonly string[] = EVENT_TYPES) =>
  planSmokeChecks({ events, secret, userAgent: 'webhooks-cli/test', now: new Date('2026-05-01T12:00:00.123Z') });
const byId = (checks: SmokeCheck[], id: string) => checks.find((c) => c.id === id)!;

describe('planSmokeChecks', () => {
  it('plans one signed delivery per event type, then the probes, with unique ids', () => {
    const checks = plan();
    expect(checks.map((c) => c.id)).toEqual([
      ...EVENT_TYPES.map((t) => `delivery.${t}`),
      'signature.wrong',
      'signature.missing',
      'signature.altered-body',
      'raw-body.pretty-printed',
      'raw-body.key-order',
      'raw-body.number-format',
      'raw-body.non-ascii',
      'raw-body.unicode-escapes',
      'raw-body.trailing-newline',
      'idempotency.same-delivery-twice',
      'idempotency.concurrent-duplicates',
      'robustness.non-json-body',
      'robustness.out-of-order-lifecycle',
    ]);
    const deliveryIds = checks.flatMap((c) => c.requests.map((r) => r.deliveryId));
    // Only the retry and the concurrent duplicate repeat an id.
    expect(new Set(deliveryIds).size).toBe(deliveryIds.length - 2);
    // Only the rejected probes are not valid deliveries an app should process.
    expect(checks.flatMap((c) => c.requests.filter((r) => !r.valid).map(() => c.id))).toEqual([
      'signature.wrong',
      'signature.missing',
      'signature.altered-body',
      'robustness.non-json-body',
    ]);
  });

  it('sends the concurrent duplicates together, and deletes a fresh product before creating it', () => {
    const checks = plan(['customer.cart.added']);
    const together = byId(checks, 'idempotency.concurrent-duplicates');
    expect(together.send).toBe('together');
    expect(together.requests[0]!.deliveryId).toBe(together.requests[1]!.deliveryId);
    expect(together.requests[0]!.body.equals(together.requests[1]!.body)).toBe(true);
    const lifecycle = byId(checks, 'robustness.out-of-order-lifecycle').requests;
    expect(lifecycle.map((r) => r.event)).toEqual(['catalog.product.deleted', 'catalog.product.created']);
    const [deleted, created] = lifecycle.map((r) => JSON.parse(r.body.toString()).data.product_id);
    expect(deleted).toMatch(/^prod_smoke_[0-9a-f]{12}$/);
    expect(created).toBe(deleted);
    for (const r of lifecycle)
      expect(verify(r.body, r.headers['x-webhook-signature'], [secret])).toMatchObject({ valid: true });
  });

  it("signs every raw-body payload over its own bytes, each the probe's value in other bytes", () => {
    const checks = plan(['catalog.product.created']);
    const compact = byId(checks, 'delivery.catalog.product.created').requests[0]!.body;
    const text = byId(checks, 'raw-body.non-ascii').requests[0]!.body;
    expect(JSON.parse(text.toString()).data.name).toBe('Floral Summer Dress · édition été/hiver');
    for (const check of checks.filter((c) => c.group === 'raw-body')) {
      const { body, headers } = check.requests[0]!;
      const same = check.id === 'raw-body.unicode-escapes' || check.id === 'raw-body.non-ascii' ? text : compact;
      expect(JSON.parse(body.toString())).toEqual(JSON.parse(same.toString()));
      if (check.id !== 'raw-body.non-ascii') expect(body.equals(same)).toBe(false);
      expect(verify(body, headers['x-webhook-signature'], [secret])).toMatchObject({ valid: true });
    }
    // Only ASCII on the wire once escaped.
    expect(byId(checks, 'raw-body.unicode-escapes').requests[0]!.body.toString()).toMatch(/^[\x20-\x7e]+$/);
  });

  it('names every check short enough for the summary to fit 80 columns', () => {
    // "  ✓ " + title + "  " + status (7) + " " + latency (6): 20 columns besides the title.
    const titles = plan()
      .filter((c) => c.group !== 'delivery')
      .map((c) => c.title);
    expect(Math.max(...titles.map((t) => t.length))).toBeLessThanOrEqual(60);
  });

  it('leaves out the number check for a payload without numbers', () => {
    expect(plan(['catalog.product.deleted']).map((c) => c.id)).not.toContain('raw-body.number-format');
  });

  it('signs each delivery over its exact bytes with the platform headers', () => {
    for (const check of plan().filter((c) => c.group === 'delivery')) {
      const [request] = check.requests;
      const envelope = JSON.parse(request!.body.toString('utf8'));
      expect(envelope).toMatchObject({ event: request!.event, timestamp: '2026-05-01T12:00:00Z' });
      expect(request!.headers).toMatchObject({
        'content-type': 'application/json',
        'x-webhook-event': request!.event,
        'x-webhook-delivery': request!.deliveryId,
      });
      expect(verify(request!.body, request!.headers['x-webhook-signature'], [secret])).toMatchObject({ valid: true });
      expect(check.expect).toBe('2xx');
    }
  });

  it('probes with the first selected event, changing one thing each', () => {
    const checks = plan(['customer.cart.added', 'catalog.product.created']);
    const delivery = byId(checks, 'delivery.customer.cart.added').requests[0]!;

    const wrong = byId(checks, 'signature.wrong').requests[0]!;
    expect(wrong.event).toBe('customer.cart.added');
    expect(wrong.body.equals(delivery.body)).toBe(true);
    expect(wrong.headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify(wrong.body, wrong.headers['x-webhook-signature'], [secret])).toMatchObject({
      valid: false,
      reason: 'mismatch',
    });

    const missing = byId(checks, 'signature.missing').requests[0]!;
    expect(missing.headers).not.toHaveProperty('x-webhook-signature');

    const altered = byId(checks, 'signature.altered-body').requests[0]!;
    expect(JSON.parse(altered.body.toString()).data.price).toBe(0.01);
    expect(altered.body.equals(delivery.body)).toBe(false);
    expect(verify(delivery.body, altered.headers['x-webhook-signature'], [secret])).toMatchObject({ valid: true });
    expect(verify(altered.body, altered.headers['x-webhook-signature'], [secret])).toMatchObject({ valid: false });

    const [first, again] = byId(checks, 'idempotency.same-delivery-twice').requests;
    expect(again).toEqual({ ...first, label: again!.label });
    expect(verify(first!.body, first!.headers['x-webhook-signature'], [secret])).toMatchObject({ valid: true });

    const notJson = byId(checks, 'robustness.non-json-body').requests[0]!;
    expect(() => JSON.parse(notJson.body.toString())).toThrow();
    expect(verify(notJson.body, notJson.headers['x-webhook-signature'], [secret])).toMatchObject({ valid: true });
    for (const c of checks.filter((c) => c.group !== 'delivery'))
      expect(c.expect).toBe(c.group === 'signature' ? '4xx' : c.group === 'robustness' ? 'not-5xx' : '2xx');
  });
});

const answered = (status: number, label = 'request', durationMs = 3): ExchangeOutcome => ({
  label,
  event: 'e',
  deliveryId: 'dlv_1',
  valid: true,
  status,
  durationMs,
  error: null,
  errorCode: null,
  responseExcerpt: '',
});
const noAnswer = (error: string): ExchangeOutcome => ({
  label: 'request',
  event: 'e',
  deliveryId: 'dlv_1',
  valid: true,
  status: null,
  durationMs: 250,
  error,
  errorCode: 'timeout',
  responseExcerpt: '',
});

describe('judgeCheck', () => {
  const checks = plan(['catalog.product.created']);
  const delivery = byId(checks, 'delivery.catalog.product.created');
  const wrong = byId(checks, 'signature.wrong');
  const twice = byId(checks, 'idempotency.same-delivery-twice');
  const notJson = byId(checks, 'robustness.non-json-body');

  it('passes answers in the expected class', () => {
    expect(judgeCheck(delivery, [answered(204)])).toMatchObject({ passed: true, reason: 'answered 204', latencyMs: 3 });
    expect(judgeCheck(wrong, [answered(403)])).toMatchObject({ passed: true });
    expect(judgeCheck(notJson, [answered(400)]).passed).toBe(true);
    expect(judgeCheck(notJson, [answered(200)]).passed).toBe(true);
    expect(judgeCheck(twice, [answered(200), answered(200)])).toMatchObject({
      passed: true,
      reason: 'answered 200 then 200',
      latencyMs: 6,
    });
  });

  it('explains a miss with the fix', () => {
    expect(judgeCheck(wrong, [answered(200)]).reason).toMatch(
      /^answered 200: the receiver accepted it — verify X-Webhook-Signature/,
    );
    expect(judgeCheck(wrong, [answered(500)]).reason).toMatch(/must be rejected with a 4xx/);
    expect(judgeCheck(delivery, [answered(401)]).reason).toMatch(/^answered 401 — .*same secret/);
    expect(judgeCheck(delivery, [answered(302)]).reason).toMatch(/redirects are not followed/);
    expect(judgeCheck(delivery, [answered(404)]).reason).toMatch(/check the path/);
    expect(judgeCheck(notJson, [answered(500)])).toMatchObject({ passed: false });
  });

  it("names the platform's 10 s timeout for no answer, and warns past half of it", () => {
    expect(judgeCheck(delivery, [noAnswer('no answer from 127.0.0.1:1 within 10000 ms')]).reason).toBe(
      "no answer within 10 s (the platform's 10 s timeout: it gives up and retries the delivery) — answer 2xx first and do the work afterwards (a queue)",
    );
    expect(judgeCheck(delivery, [noAnswer('…')], { timeoutMs: 250 }).reason).toMatch(
      /^no answer within 250 ms \(--timeout; the platform gives up after 10 s/,
    );
    expect(judgeCheck(delivery, [answered(200, 'request', 6_200)])).toMatchObject({
      passed: true,
      warnings: ['answered in 6.2 s, over 5 s: close to the 10 s timeout — answer first, process afterwards'],
    });
    expect(judgeCheck(delivery, [answered(200, 'request', 4_900)]).warnings).toEqual([]);
    // With --timeout above 10 s a slow answer arrives, but the platform would not have waited.
    expect(judgeCheck(delivery, [answered(200, 'request', 12_300)], { timeoutMs: 30_000 })).toMatchObject({
      passed: false,
      reason:
        "answered 200 after 12.3 s, past the platform's 10 s timeout: it would have given up and retried the delivery — answer 2xx first and do the work afterwards (a queue)",
    });
    expect(judgeCheck(delivery, [answered(200, 'request', 6_000)], { timeoutMs: 30_000 }).warnings).toHaveLength(1);
    expect(judgeCheck(delivery, [answered(200, 'request', 1_500)], { timeoutMs: 2_000 }).warnings).toEqual([
      expect.stringMatching(/^answered in 1\.5 s, over 1 s: close to the 2 s timeout/),
    ]);
  });

  it('diagnoses a rejected raw-body payload only when the compact one was accepted', () => {
    const checks = plan(['catalog.product.created']);
    const pretty = byId(checks, 'raw-body.pretty-printed');
    const accepted = judgeCheck(delivery, [answered(200)]);
    expect(judgeCheck(pretty, [answered(401)], { baseline: accepted }).reason).toBe(
      'verifies a re-serialised body, not the raw bytes: accepted the compact payload, rejected the same payload pretty-printed — verify the raw request body',
    );
    expect(judgeCheck(pretty, [answered(401)], { baseline: judgeCheck(delivery, [answered(401)]) }).reason).toMatch(
      /^answered 401 — compute the HMAC over the raw request body/,
    );
    expect(judgeCheck(pretty, [answered(500)], { baseline: accepted }).reason).toMatch(
      /^answered 500: the receiver failed on a valid delivery/,
    );
  });

  it('warns, without failing, on a 4xx to an out-of-order lifecycle; fails a 5xx', () => {
    const lifecycle = byId(plan(['catalog.product.created']), 'robustness.out-of-order-lifecycle');
    const warned = judgeCheck(lifecycle, [
      answered(404, 'catalog.product.deleted for prod_x'),
      answered(200, 'catalog.product.created for prod_x'),
    ]);
    expect(warned).toMatchObject({
      passed: true,
      warnings: [
        expect.stringMatching(
          /^catalog\.product\.deleted for prod_x: answered 404 — the platform retries any answer but a 2xx/,
        ),
      ],
    });
    expect(judgeCheck(lifecycle, [answered(500), answered(200)]).passed).toBe(false);
  });

  it("reports other failures with the sender's words, and names the request of a multi-request check", () => {
    const refused = {
      ...noAnswer('connection refused by 127.0.0.1:1 — is the receiver running on that port?'),
      errorCode: 'refused' as const,
    };
    expect(judgeCheck(delivery, [refused])).toMatchObject({
      passed: false,
      reason: 'connection refused by 127.0.0.1:1 — is the receiver running on that port?',
    });
    const result = judgeCheck(twice, [answered(200, 'first delivery'), answered(409, 'the same delivery again')]);
    expect(result.passed).toBe(false);
    expect(result.reason).toMatch(/^the same delivery again: answered 409 — a retry keeps its X-Webhook-Delivery id/);
  });
});

describe('applyDependency', () => {
  const checks = plan(['catalog.product.created']);
  const delivery = byId(checks, 'delivery.catalog.product.created');
  const wrong = byId(checks, 'signature.wrong');
  const twice = byId(checks, 'idempotency.same-delivery-twice');

  it('fails a rejection check when the correctly signed probe was rejected too', () => {
    expect(wrong.dependsOn).toBe('delivery.catalog.product.created');
    const rejected = judgeCheck(delivery, [answered(401)]);
    const result = applyDependency(judgeCheck(wrong, [answered(401)]), [rejected]);
    expect(result.passed).toBe(false);
    expect(result.reason).toMatch(
      /^answered 401, but that proves nothing: delivery\.catalog\.product\.created failed too \(answered 401/,
    );
  });

  it('leaves a check alone when its baseline passed, or when it has none', () => {
    const accepted = judgeCheck(delivery, [answered(200)]);
    expect(applyDependency(judgeCheck(wrong, [answered(401)]), [accepted]).passed).toBe(true);
    const rejected = judgeCheck(delivery, [answered(401)]);
    expect(applyDependency(judgeCheck(twice, [answered(200), answered(200)]), [rejected]).passed).toBe(true);
    expect(applyDependency(judgeCheck(wrong, [answered(200)]), [rejected]).reason).toMatch(
      /^answered 200: the receiver accepted it/,
    );
  });
});

describe('report formatting', () => {
  const checks = plan(['catalog.product.created']);
  const results = checks.map((c, i) =>
    judgeCheck(
      c,
      c.requests.map((r) => ({ ...answered(i === 1 ? 200 : c.expect === '4xx' ? 401 : 200, r.label) })),
    ),
  );
  const report: SmokeReport = {
    url: 'http://127.0.0.1:3000/webhook',
    events: ['catalog.product.created'],
    timeoutMs: 10_000,
    startedAt: new Date('2026-05-01T12:00:00Z'),
    durationMs: 42,
    receiverReachable: true,
    checks: results,
    patterns: [],
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    warned: 0,
    notRun: 0,
    ok: false,
  };

  it('prints one grep-able line per check', () => {
    expect(checkLine(results[0]!)).toBe('PASS  delivery.catalog.product.created  200  3.0 ms');
    expect(checkLine(results[1]!)).toMatch(
      /^FAIL {2}signature\.wrong {2}200 {2}3\.0 ms {2}answered 200: the receiver accepted it/,
    );
  });

  it('groups the terminal summary and ends with the totals', () => {
    const text = humanSummary(report, palette(false));
    expect(text).toContain('signature\n  ✗ a wrong signature is rejected with 4xx');
    expect(text.trimEnd().split('\n').pop()).toBe(
      '✗ smoke: 1 of 14 checks failed (13 passed, 1 failed in 42 ms) against http://127.0.0.1:3000/webhook',
    );
  });

  it('marks warnings and checks not run in every shape', () => {
    const slow = judgeCheck(checks[0]!, [answered(200, 'signed delivery', 7_000)]);
    const skipped = notRunResult(checks[2]!, 'not run: smoke stopped at the first failure (--bail)');
    const mixed: SmokeReport = {
      ...report,
      checks: [slow, results[1]!, skipped],
      passed: 1,
      failed: 1,
      warned: 1,
      notRun: 1,
    };
    expect(checkLine(slow)).toBe(
      'WARN  delivery.catalog.product.created  200  7000 ms  answered in 7 s, over 5 s: close to the 10 s timeout — answer first, process afterwards',
    );
    expect(checkLine(skipped)).toBe(
      'SKIP  signature.missing  ---  0.0 ms  not run: smoke stopped at the first failure (--bail)',
    );
    expect(totalsLine(mixed)).toMatch(
      /^smoke: 1 of 3 checks failed \(1 passed, 1 failed, 1 with warnings, 1 not run in 42 ms\)/,
    );
    const text = humanSummary(mixed, palette(false));
    expect(text).toContain('  ! catalog.product.created');
    expect(text).toContain('  - a missing signature is rejected with 4xx');
    expect(reportJson(mixed).checks.map((c) => [c.verdict, c.not_run, c.warnings.length])).toEqual([
      ['warn', false, 1],
      ['fail', false, 0],
      ['skip', true, 0],
    ]);
    const xml = reportJUnit(mixed);
    expect(xml).toContain('<system-out>warning: answered in 7 s, over 5 s');
    expect(xml).toContain('<skipped message="not run: smoke stopped at the first failure (--bail)"/>');
  });

  it('shapes JSON in snake_case with every exchange', () => {
    const json = reportJson(report);
    expect(json).toMatchObject({
      ok: false,
      total: 14,
      passed: 13,
      failed: 1,
      warned: 0,
      not_run: 0,
      patterns: [],
      timeout_ms: 10_000,
    });
    expect(json.checks[10]!.id).toBe('idempotency.same-delivery-twice');
    expect(json.checks[10]!.exchanges).toHaveLength(2);
    expect(json.checks[0]!.exchanges[0]).toEqual({
      label: 'signed delivery',
      event: 'e',
      delivery_id: 'dlv_1',
      status: 200,
      duration_ms: 3,
      error: null,
    });
  });
});
