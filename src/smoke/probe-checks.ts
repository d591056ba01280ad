/**
 * The check definitions for deliveries, signatures, idempotency and robustness (see
 * `CHECK_DEFINITIONS`). Each builds its exact requests from the plan's context.
 */
import { serialiseEnvelope } from '../core/payload.js';
import { sign } from '../core/signature.js';
import { deletedBeforeCreated, sameDeliveryTwice } from './delivery-patterns.js';
import type { PlanContext, SmokeCheck } from './smoke-checks.js';

/** One signed delivery per event type. */
export function deliveryChecks(ctx: PlanContext): SmokeCheck[] {
  return ctx.events.map((event) => ({
    id: `delivery.${event}`,
    group: 'delivery',
    title: `a signed ${event} is answered 2xx`,
    expect: '2xx',
    requests: [ctx.request('signed delivery', event, serialiseEnvelope(ctx.envelopeOf(event)), 'valid')],
    hint: 'a correctly signed delivery must be accepted: check the receiver uses the same secret and verifies the raw body bytes',
  }));
}

export function signatureChecks({ probe, secret, envelopeOf, request }: PlanContext): SmokeCheck[] {
  const original = envelopeOf(probe);
  const body = serialiseEnvelope(original);
  // Same data, a different key: well-formed, so only a real comparison can reject it.
  const wrongSignature = sign(body, `not-${secret}`);
  // What a tampering proxy would do: change a value, keep the JSON valid, keep the old signature.
  const altered = serialiseEnvelope({ ...original, data: { ...original.data, price: 0.01 } });
  const dependsOn = `delivery.${probe}`;
  return [
    {
      id: 'signature.wrong',
      group: 'signature',
      dependsOn,
      title: 'a wrong signature is rejected with 4xx',
      expect: '4xx',
      requests: [request('signed with another secret', probe, body, wrongSignature)],
      hint: 'verify X-Webhook-Signature (HMAC-SHA256 of the raw body) and answer 401 when it does not match',
    },
    {
      id: 'signature.missing',
      group: 'signature',
      dependsOn,
      title: 'a missing signature is rejected with 4xx',
      expect: '4xx',
      requests: [request('no X-Webhook-Signature header', probe, body, 'none')],
      hint: 'treat a request without X-Webhook-Signature as invalid and answer 401',
    },
    {
      id: 'signature.altered-body',
      group: 'signature',
      dependsOn,
      title: 'a body altered after signing is rejected with 4xx',
      expect: '4xx',
      requests: [request('data.price set to 0.01 after signing', probe, altered, sign(body, secret))],
      hint: 'compute the HMAC over the exact bytes received, not over a parsed or stored copy',
    },
  ];
}

export function idempotencyChecks(ctx: PlanContext): SmokeCheck[] {
  const { probe, request } = ctx;
  const body = serialiseEnvelope(ctx.envelopeOf(probe));
  const retryId = ctx.newId();
  return [
    {
      id: 'idempotency.same-delivery-twice',
      group: 'idempotency',
      title: 'the same delivery id sent twice is answered 2xx both times',
      expect: '2xx',
      requests: [
        request('first delivery', probe, body, 'valid', retryId),
        request('the same delivery again (a retry)', probe, body, 'valid', retryId),
      ],
      hint: 'a retry keeps its X-Webhook-Delivery id: acknowledge it with 2xx and skip the work already done',
    },
    {
      id: 'idempotency.concurrent-duplicates',
      group: 'idempotency',
      title: 'two copies of one delivery at once are both answered 2xx',
      expect: '2xx',
      send: 'together',
      requests: sameDeliveryTwice(ctx, probe),
      hint: 'a 409 or 5xx makes the platform retry: acknowledge a duplicate with 2xx (a unique key on X-Webhook-Delivery, its conflict treated as done)',
    },
  ];
}

export function robustnessChecks(ctx: PlanContext): SmokeCheck[] {
  const notJson = Buffer.from(`this is not JSON: ${ctx.probe} smoke probe\n`, 'utf8');
  return [
    {
      id: 'robustness.non-json-body',
      group: 'robustness',
      title: 'a validly signed body that is not JSON is not answered 5xx',
      expect: 'not-5xx',
      requests: [ctx.request('signed, but not JSON', ctx.probe, notJson, 'valid')],
      hint: "catch parse errors: answer 400 (or 200 and log it, as the platform document's handler does), never a 5xx",
    },
    {
      id: 'robustness.out-of-order-lifecycle',
      group: 'robustness',
      title: 'a product deleted before its creation is not answered 5xx',
      expect: 'not-5xx',
      requests: deletedBeforeCreated(ctx),
      hint: 'events can arrive out of order: a delete for an unknown product is not an error — acknowledge it (2xx) and reconcile',
      warnOn4xx:
        'the platform retries any answer but a 2xx: acknowledge events that arrive out of order and reconcile, rather than rejecting them',
    },
  ];
}
