import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { verify } from '../../src/core/signature.js';
import { applyDependency, judgeCheck, type ExchangeOutcome } from '../../src/smoke/check-verdict.js';
import { planSmokeChecks, type SmokeCheck } from '../../src/smoke/smoke-checks.js';
import { checkLine, humanSummary, reportJson } from '../../src/smoke/smoke-report.js';
import type { SmokeReport } from '../../src/smoke/smoke-run.js';
import { palette } from '../../src/format/display.js';

const secret = 's3cret';
const plan = (events: readonly string[] = EVENT_TYPES) => planSmokeChecks({ events, secret, userAgent: 'webhooks-cli/test', now: new Date('2026-05-01T12:00:00.123Z') });
const byId = (checks: SmokeCheck[], id: string) => checks.find((c) => c.id === id)!;

describe('planSmokeChecks', () => {
  it('plans one signed delivery per event type, then the five probes, with unique ids', () => {
    const checks = plan();
    expect(checks.map((c) => c.id)).toEqual([
      ...EVENT_TYPES.map((t) => `delivery.${t}`),
      'signature.wrong',
      'signature.missing',
      'signature.altered-body',
      'idempotency.same-delivery-twice',
      'robustness.non-json-body',
    ]);
    const deliveryIds = checks.flatMap((c) => c.requests.map((r) => r.deliveryId));
    // Only the retry repeats an id.
    expect(new Set(deliveryIds).size).toBe(deliveryIds.length - 1);
  });

  it('signs each delivery over its exact bytes with the platform headers', () => {
    for (const check of plan().filter((c) => c.group === 'delivery')) {
      const [request] = check.requests;
      const envelope = JSON.parse(request!.body.toString('utf8'));
      expect(envelope).toMatchObject({ event: request!.event, timestamp: '2026-05-01T12:00:00Z' });
      expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'x-webhook-event': request!.event, 'x-webhook-delivery': request!.deliveryId });
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
    expect(verify(wrong.body, wrong.headers['x-webhook-signature'], [secret])).toMatchObject({ valid: false, reason: 'mismatch' });

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
    for (const c of checks.filter((c) => c.group !== 'delivery')) expect(c.expect).toBe(c.group === 'signature' ? '4xx' : c.group === 'idempotency' ? '2xx' : 'not-5xx');
  });
});

const answered = (status: number, label = 'request'): ExchangeOutcome => ({ label, event: 'e', deliveryId: 'dlv_1', status, durationMs: 3, error: null, errorCode: null, responseExcerpt: '' });
const noAnswer = (error: string): ExchangeOutcome => ({ label: 'request', event: 'e', deliveryId: 'dlv_1', status: null, durationMs: 250, error, errorCode: 'timeout', responseExcerpt: '' });

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
    expect(judgeCheck(twice, [answered(200), answered(200)])).toMatchObject({ passed: true, reason: 'answered 200 then 200', latencyMs: 6 });
  });

  it('explains a miss with the fix', () => {
    expect(judgeCheck(wrong, [answered(200)]).reason).toMatch(/^answered 200: the receiver accepted it — verify X-Webhook-Signature/);
    expect(judgeCheck(wrong, [answered(500)]).reason).toMatch(/must be rejected with a 4xx/);
    expect(judgeCheck(delivery, [answered(401)]).reason).toMatch(/^answered 401 — .*same secret/);
    expect(judgeCheck(delivery, [answered(302)]).reason).toMatch(/redirects are not followed/);
    expect(judgeCheck(delivery, [answered(404)]).reason).toMatch(/check the path/);
    expect(judgeCheck(notJson, [answered(500)])).toMatchObject({ passed: false });
  });

  it('reports no answer with the sender\'s words, and names the request of a multi-request check', () => {
    expect(judgeCheck(delivery, [noAnswer('no answer from 127.0.0.1:1 within 250 ms')])).toMatchObject({ passed: false, reason: 'no answer from 127.0.0.1:1 within 250 ms' });
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
    expect(result.reason).toMatch(/^answered 401, but that proves nothing: delivery\.catalog\.product\.created failed too \(answered 401/);
  });

  it('leaves a check alone when its baseline passed, or when it has none', () => {
    const accepted = judgeCheck(delivery, [answered(200)]);
    expect(applyDependency(judgeCheck(wrong, [answered(401)]), [accepted]).passed).toBe(true);
    const rejected = judgeCheck(delivery, [answered(401)]);
    expect(applyDependency(judgeCheck(twice, [answered(200), answered(200)]), [rejected]).passed).toBe(true);
    expect(applyDependency(judgeCheck(wrong, [answered(200)]), [rejected]).reason).toMatch(/^answered 200: the receiver accepted it/);
  });
});

describe('report formatting', () => {
  const checks = plan(['catalog.product.created']);
  const results = checks.map((c, i) => judgeCheck(c, c.requests.map((r) => ({ ...answered(i === 1 ? 200 : c.expect === '4xx' ? 401 : 200, r.label) }))));
  const report: SmokeReport = {
    url: 'http://127.0.0.1:3000/webhook',
    events: ['catalog.product.created'],
    timeoutMs: 10_000,
    startedAt: new Date('2026-05-01T12:00:00Z'),
    durationMs: 42,
    receiverReachable: true,
    checks: results,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    ok: false,
  };

  it('prints one grep-able line per check', () => {
    expect(checkLine(results[0]!)).toBe('PASS  delivery.catalog.product.created  200  3.0 ms');
    expect(checkLine(results[1]!)).toMatch(/^FAIL {2}signature\.wrong {2}200 {2}3\.0 ms {2}answered 200: the receiver accepted it/);
  });

  it('groups the terminal summary and ends with the totals', () => {
    const text = humanSummary(report, palette(false));
    expect(text).toContain('signature\n  ✗ a wrong signature is rejected with 4xx');
    expect(text.trimEnd().split('\n').pop()).toBe('✗ smoke: 1 of 6 checks failed (5 passed, 1 failed in 42 ms) against http://127.0.0.1:3000/webhook');
  });

  it('shapes JSON in snake_case with every exchange', () => {
    const json = reportJson(report);
    expect(json).toMatchObject({ ok: false, total: 6, passed: 5, failed: 1, timeout_ms: 10_000 });
    expect(json.checks[4]!.exchanges).toHaveLength(2);
    expect(json.checks[0]!.exchanges[0]).toEqual({ label: 'signed delivery', event: 'e', delivery_id: 'dlv_1', status: 200, duration_ms: 3, error: null });
  });
});
