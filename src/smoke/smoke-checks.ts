/**
 * The conformance checks `smoke` runs against a receiver, as data: each check is the exact
 * requests to send and the answer expected, so every check is observable from outside the
 * receiver. Building the plan does no network I/O; `smoke-run.ts` sends it.
 *
 * The checks follow the platform document's best practices: answer within 10 seconds with a
 * 2xx, verify signatures, handle retries (same delivery id) gracefully, never fail with a 5xx.
 */
import { newDeliveryId } from '../core/delivery-id.js';
import { serialiseEnvelope, webhookTimestamp, type Envelope } from '../core/payload.js';
import { sign } from '../core/signature.js';
import { webhookHeaders, type WebhookHeaders } from '../core/webhook-request.js';
import type { Fixture } from '../delivery/fixtures.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';

export type SmokeGroup = 'delivery' | 'signature' | 'idempotency' | 'robustness';

/** The answer a check wants: any 2xx, any 4xx, or anything but a 5xx (and an answer at all). */
export type Expectation = '2xx' | '4xx' | 'not-5xx';

export interface ProbeRequest {
  /** What this request is, for reports of multi-request checks ("the same delivery again"). */
  label: string;
  event: string;
  deliveryId: string;
  headers: WebhookHeaders;
  /** The exact bytes sent. */
  body: Buffer;
}

export interface SmokeCheck {
  /** Stable and unique: `delivery.catalog.product.created`, `signature.wrong`, … */
  id: string;
  group: SmokeGroup;
  /** What passing means, in words: "a wrong signature is rejected with 4xx". */
  title: string;
  expect: Expectation;
  /** Sent one after another; every answer must meet `expect`. */
  requests: ProbeRequest[];
  /** The fix, shown when an answer is in the wrong class (e.g. a 2xx for a wrong signature). */
  hint: string;
  /**
   * A check that must pass for this one to mean anything: a rejected bad signature proves
   * nothing if the receiver rejects the correctly signed request too.
   */
  dependsOn?: string;
}

export interface PlanOptions {
  /** Event types, each delivered once signed; the first one is also the probe for the other checks. */
  events: readonly string[];
  secret: string;
  userAgent: string;
  now?: Date;
  newId?: () => string;
  /** `--fixtures DIR`: captured deliveries, each sent as recorded and expected to get its recorded status class. */
  fixtures?: readonly Fixture[];
}

export const GROUP_ORDER: readonly SmokeGroup[] = ['delivery', 'signature', 'idempotency', 'robustness'];

/** Every check, in the order they run: one delivery per event type, then the probes. */
export function planSmokeChecks({ events, secret, userAgent, now = new Date(), newId = newDeliveryId, fixtures = [] }: PlanOptions): SmokeCheck[] {
  if (events.length === 0) throw new Error('planSmokeChecks needs at least one event type');
  const timestamp = webhookTimestamp(now);
  const envelopeOf = (type: string): Envelope => ({ ...loadSampleEnvelope(type), timestamp });
  // `signature`: 'valid' signs `body` with the secret, 'none' leaves the header out, and any
  // other value is sent as the header as it is.
  const request = (label: string, event: string, body: Buffer, signature: 'valid' | 'none' | (string & {}), deliveryId = newId()): ProbeRequest => {
    const headers = webhookHeaders({ event, deliveryId, body, secret: signature === 'none' ? undefined : secret, userAgent });
    if (signature !== 'valid' && signature !== 'none') headers['x-webhook-signature'] = signature;
    return { label, event, deliveryId, headers, body };
  };

  const checks: SmokeCheck[] = events.map((event) => ({
    id: `delivery.${event}`,
    group: 'delivery',
    title: `a signed ${event} is answered 2xx`,
    expect: '2xx',
    requests: [request('signed delivery', event, serialiseEnvelope(envelopeOf(event)), 'valid')],
    hint: 'a correctly signed delivery must be accepted: check the receiver uses the same secret and verifies the raw body bytes',
  }));

  // The probes use the first event type, so a rejection is due to what the probe changed.
  const probe = events[0]!;
  const original = envelopeOf(probe);
  const body = serialiseEnvelope(original);
  // Same data, a different key: well-formed, so only a real comparison can reject it.
  const wrongSignature = sign(body, `not-${secret}`);
  // What a tampering proxy would do: change a value, keep the JSON valid, keep the old signature.
  const altered = serialiseEnvelope({ ...original, data: { ...original.data, price: 0.01 } });
  const notJson = Buffer.from(`this is not JSON: ${probe} smoke probe\n`, 'utf8');
  const retryId = newId();

  checks.push(
    {
      id: 'signature.wrong',
      group: 'signature',
      dependsOn: `delivery.${probe}`,
      title: 'a wrong signature is rejected with 4xx',
      expect: '4xx',
      requests: [request('signed with another secret', probe, body, wrongSignature)],
      hint: 'verify X-Webhook-Signature (HMAC-SHA256 of the raw body) and answer 401 when it does not match',
    },
    {
      id: 'signature.missing',
      group: 'signature',
      dependsOn: `delivery.${probe}`,
      title: 'a missing signature is rejected with 4xx',
      expect: '4xx',
      requests: [request('no X-Webhook-Signature header', probe, body, 'none')],
      hint: 'treat a request without X-Webhook-Signature as invalid and answer 401',
    },
    {
      id: 'signature.altered-body',
      group: 'signature',
      dependsOn: `delivery.${probe}`,
      title: 'a body altered after signing is rejected with 4xx',
      expect: '4xx',
      requests: [request('data.price set to 0.01 after signing', probe, altered, sign(body, secret))],
      hint: 'compute the HMAC over the exact bytes received, not over a parsed or stored copy',
    },
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
      id: 'robustness.non-json-body',
      group: 'robustness',
      title: 'a validly signed body that is not JSON is not answered 5xx',
      expect: 'not-5xx',
      requests: [request('signed, but not JSON', probe, notJson, 'valid')],
      hint: 'catch parse errors: answer 400 (or 200 and log it, as the platform document\'s handler does), never a 5xx',
    },
  );
  // A fixture captured with a bad signature is sent with a wrong one again: its recorded 4xx was about that.
  checks.push(...fixtures.map((fixture) => fixtureCheck(fixture, (label) => request(label, fixture.event, fixture.body, fixture.recorded?.signature_valid === false ? sign(fixture.body, `not-${secret}`) : 'valid'))));
  return checks;
}

/** A captured delivery again: a 2xx then must be a 2xx now (a 4xx a 4xx); a regression run from real traffic. */
function fixtureCheck(fixture: Fixture, request: (label: string) => ProbeRequest): SmokeCheck {
  const status = fixture.recorded?.status ?? 200;
  const expect: Expectation = status >= 200 && status < 300 ? '2xx' : status >= 400 && status < 500 ? '4xx' : 'not-5xx';
  return {
    id: `fixture.${fixture.file}`,
    group: 'delivery',
    title: `the fixture ${fixture.file} (${fixture.event}) is answered ${expect}, as when it was recorded (${fixture.recorded?.status ?? 'no manifest status'})`,
    expect,
    requests: [request(`fixture ${fixture.file}, bytes as recorded`)],
    hint: `this delivery was answered ${status} when it was captured: a change in the receiver made it answer differently`,
  };
}
