/**
 * The conformance checks `smoke` runs against a receiver, as data: each check is the exact
 * requests to send and the answer expected, so every check is observable from outside the
 * receiver. Building the plan does no network I/O; `smoke-run.ts` sends it.
 *
 * The checks follow the platform document's best practices: answer within 10 seconds with a
 * 2xx, verify signatures over the raw bytes, handle retries and duplicates (same delivery id)
 * gracefully, never fail with a 5xx. A new kind of check is one more entry in
 * `CHECK_DEFINITIONS`: a function from the plan's context to the checks it adds.
 */
import { newDeliveryId } from '../core/delivery-id.js';
import { type Envelope, webhookTimestamp } from '../core/payload.js';
import { type WebhookHeaders, webhookHeaders } from '../core/webhook-request.js';
import type { Fixture } from '../delivery/fixtures.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { fixtureChecks } from './fixture-checks.js';
import { deliveryChecks, idempotencyChecks, robustnessChecks, signatureChecks } from './probe-checks.js';
import { rawBodyChecks } from './raw-body-checks.js';

export type SmokeGroup = 'delivery' | 'signature' | 'raw-body' | 'idempotency' | 'robustness' | 'fuzz';

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
  /** Correctly signed and a JSON envelope: an app should process it (once per delivery id). */
  valid: boolean;
  /** Not recorded in the history (the tries of `--fuzz` shrinking). */
  keepOutOfHistory?: boolean;
}

export interface SmokeCheck {
  /** Stable and unique: `delivery.catalog.product.created`, `signature.wrong`, … */
  id: string;
  group: SmokeGroup;
  /** What passing means, in words: "a wrong signature is rejected with 4xx". */
  title: string;
  expect: Expectation;
  requests: ProbeRequest[];
  /** `in-turn` (the default): one after another. `together`: all at the same moment. */
  send?: 'in-turn' | 'together';
  /** The fix, shown when an answer is in the wrong class (e.g. a 2xx for a wrong signature). */
  hint: string;
  /**
   * A check that must pass for this one to mean anything: a rejected bad signature proves
   * nothing if the receiver rejects the correctly signed request too.
   */
  dependsOn?: string;
  /** The whole diagnosis when a 2xx check gets a 4xx although its `dependsOn` passed. */
  rejectedMeans?: string;
  /** A 4xx is a warning (with this fix), not a failure: for answers the platform merely retries. */
  warnOn4xx?: string;
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

/** What a check definition builds its requests from. */
export interface PlanContext {
  events: readonly string[];
  /** The first event type: the probes use it, so a rejection is due to what the probe changed. */
  probe: string;
  secret: string;
  newId: () => string;
  fixtures: readonly Fixture[];
  /** The sample envelope of `type`, stamped with the run's time. */
  envelopeOf: (type: string) => Envelope;
  /**
   * A request; `signature` 'valid' signs `body` with the secret, 'none' leaves the header out, and
   * any other value is sent as the header as it is.
   */
  request: (
    label: string,
    event: string,
    body: Buffer,
    signature: 'valid' | 'none' | (string & {}),
    deliveryId?: string,
  ) => ProbeRequest;
}

export type CheckDefinition = (ctx: PlanContext) => SmokeCheck[];

/** Every kind of check, in the order they are planned. */
export const CHECK_DEFINITIONS: readonly CheckDefinition[] = [
  deliveryChecks,
  signatureChecks,
  rawBodyChecks,
  idempotencyChecks,
  robustnessChecks,
  fixtureChecks,
];

export const GROUP_ORDER: readonly SmokeGroup[] = [
  'delivery',
  'signature',
  'raw-body',
  'idempotency',
  'robustness',
  'fuzz',
];

/** Every check, in the order they run: one delivery per event type, then the probes. */
export function planSmokeChecks({
  events,
  secret,
  userAgent,
  now = new Date(),
  newId = newDeliveryId,
  fixtures = [],
}: PlanOptions): SmokeCheck[] {
  if (events.length === 0) throw new Error('planSmokeChecks needs at least one event type');
  const timestamp = webhookTimestamp(now);
  const ctx: PlanContext = {
    events,
    probe: events[0]!,
    secret,
    newId,
    fixtures,
    envelopeOf: (type) => ({ ...loadSampleEnvelope(type), timestamp }),
    request: (label, event, body, signature, deliveryId = newId()) => {
      const headers = webhookHeaders({
        event,
        deliveryId,
        body,
        secret: signature === 'none' ? undefined : secret,
        userAgent,
      });
      if (signature !== 'valid' && signature !== 'none') headers['x-webhook-signature'] = signature;
      return { label, event, deliveryId, headers, body, valid: signature === 'valid' && isJsonObject(body) };
    },
  };
  return CHECK_DEFINITIONS.flatMap((define) => define(ctx));
}

function isJsonObject(body: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}
