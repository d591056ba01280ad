/**
 * `trigger`'s work, without any printing: prepares signed deliveries from the sample payloads,
 * sends them with bounded concurrency, and records every attempt through `record`.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { newDeliveryId } from '../core/delivery-id.js';
import type { SendPlan } from '../core/fault-plan.js';
import { isSuccessStatus } from '../core/http-status.js';
import {
  applyOverrides,
  type Envelope,
  envelopeProblem,
  type Override,
  OverrideError,
  serialiseEnvelope,
  webhookTimestamp,
} from '../core/payload.js';
import { issueLine } from '../core/schema-issue.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { UsageError } from '../errors.js';
import { agentFor, type RoutedAgent } from '../http/node-agent.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { schemaDeclaresField } from '../schemas/event-schemas.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { type SendResult, sendRequest } from './http-sender.js';
import { sentRecord } from './sent-record.js';

export interface PreparedDelivery {
  event: string;
  body: Buffer;
  /** What `body` serialises, for checking it against the schema; absent for a fixture, sent as recorded. */
  envelope?: Envelope;
  /** The scenario step it comes from, from 1. */
  step?: number;
}

export interface PrepareOptions {
  overrides: readonly Override[];
  /** Parsed `--data`: a whole envelope (has `event` and `data`) or just the data object. */
  data?: unknown;
  /** The bytes `data` was parsed from: a whole envelope with nothing to change is sent as these. */
  raw?: Buffer;
  /** Indent the body with 2 spaces (`--pretty`). */
  pretty?: boolean;
  now?: Date;
  /**
   * false (`--no-validate`): send what was asked for, even a broken envelope, and let `--set` add
   * any field. Otherwise `--set` adds only fields the schema declares.
   */
  validate?: boolean;
}

/**
 * The body to send for `type`: the sample (or `--data`, a data object or a whole envelope, which
 * is stamped now when it has no timestamp), with overrides applied, checked, serialised once.
 * A whole envelope that needs no change goes out byte for byte, so a receiver is tested against
 * the bytes its author wrote (pretty-printed, `89.90`), not a re-serialisation of them.
 */
export function prepareDelivery(
  type: string,
  { overrides, data, raw, pretty = false, now = new Date(), validate = true }: PrepareOptions,
): PreparedDelivery {
  let envelope: Envelope;
  if (isEnvelope(data)) {
    envelope = { ...data };
    const asWritten = raw !== undefined && overrides.length === 0 && !pretty && envelope.timestamp !== undefined;
    envelope.timestamp ??= webhookTimestamp(now);
    if (asWritten) return { event: type, body: checked(envelope, type, validate, () => raw), envelope };
  } else if (data !== undefined)
    envelope = { event: type, timestamp: webhookTimestamp(now), data: data as Record<string, unknown> };
  else envelope = { ...loadSampleEnvelope(type), timestamp: webhookTimestamp(now) };
  try {
    envelope = applyOverrides(envelope, overrides, validate ? (path) => schemaDeclaresField(type, path) : () => true);
  } catch (err) {
    if (err instanceof OverrideError) throw new UsageError(err.message, err.hint);
    throw err;
  }
  return {
    event: type,
    body: checked(envelope, type, validate, () => serialiseEnvelope(envelope, { pretty })),
    envelope,
  };
}

/** `body()`, once the envelope is well-formed (unless `--no-validate` asked to send it as it is). */
function checked(envelope: Envelope, type: string, validate: boolean, body: () => Buffer): Buffer {
  const problem = validate ? envelopeProblem(envelope, type) : undefined;
  if (problem) throw new UsageError(problem.message, problem.hint);
  return body();
}

/**
 * Refuses a prepared delivery that breaks its event's schema, naming the path and the rule.
 * Loads the validator (ajv), so `trigger` calls it only when `--set` or `--data` changed the
 * sample: the samples themselves are proven valid by the tests.
 */
export async function refuseSchemaBreaks(prepared: readonly PreparedDelivery[]): Promise<void> {
  const { EventValidator } = await import('../schemas/event-validator.js');
  const validator = new EventValidator();
  for (const { event, envelope } of prepared) {
    if (!envelope) continue;
    const issues = validator.validate(event, envelope);
    if (issues.length === 0) continue;
    const shown = issues.slice(0, 3).map(issueLine).join('; ');
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    throw new UsageError(
      `the payload breaks the ${event} schema: ${shown}${more}`,
      `fix it (webhooks-cli events schema ${event} shows the rules), or pass --no-validate to send it anyway`,
    );
  }
}

/** The event type a whole-envelope `--data` names, if it is one. */
export function envelopeEvent(data: unknown): string | undefined {
  return isEnvelope(data) && typeof data.event === 'string' ? data.event : undefined;
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && 'event' in value && 'data' in value;
}

export interface DeliveryOutcome extends SendResult {
  event: string;
  deliveryId: string;
  url: string;
  ok: boolean;
  /** Its place in the order the requests went out, from 1. */
  order: number;
  /** The second send of a delivery: same id, bytes and signature. */
  duplicate: boolean;
  /** How long it waited before going out (`--jitter`). */
  delayMs: number;
  step?: number;
}

export interface SendOptions {
  url: string;
  secret?: string;
  timeoutMs: number;
  concurrency: number;
  userAgent: string;
  record: (record: DeliveryRecord) => void;
  /** Faults to inject: order, delays and duplicates of the `prepared × count` deliveries. */
  plan?: SendPlan;
  /** Ctrl-C: see `Interruption`. */
  interruption?: Interruption;
  /** `--header`s (lower-case names, already checked), applied over the signed headers. */
  extraHeaders?: Record<string, string>;
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the requests. */
  env?: NodeJS.ProcessEnv;
}

/**
 * How a run is cut short: once `stop` resolves no request starts, and those in flight get up to
 * `inFlightGraceMs` (default 2 s) to be answered; once `now` resolves (a second Ctrl-C) they end at
 * once. Every request sent is recorded either way; the unanswered ones with the error "interrupted".
 */
export interface Interruption {
  stop: Promise<unknown>;
  now?: Promise<unknown>;
  inFlightGraceMs?: number;
}

export interface SendRun {
  /** One per request sent, in the order they went out; fewer than planned when interrupted. */
  outcomes: DeliveryOutcome[];
  interrupted: boolean;
}

/**
 * Sends `count` copies of each prepared body (each a new delivery id and signature), at most
 * `concurrency` at a time, over keep-alive connections, following `plan` if given, until done or
 * interrupted. Outcomes come back in the order the requests went out (`order`).
 */
export async function sendDeliveries(
  prepared: readonly PreparedDelivery[],
  count: number,
  options: SendOptions,
): Promise<SendRun> {
  const total = prepared.length * count;
  const { plan } = options;
  const outcomes: DeliveryOutcome[] = plan ? [] : new Array(total);
  // A concurrent duplicate needs a second connection beside its original's.
  const sockets = options.concurrency * (plan?.duplicates ? 2 : 1);
  const agentOptions = { keepAlive: true, maxSockets: sockets };
  const route = await agentFor(options.url, options.env ?? {}, agentOptions);
  const cutOff = new AbortController();
  // Every request in flight listens for it.
  setMaxListeners(sockets + 1, cutOff.signal);
  let interrupted = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const { interruption } = options;
  void interruption?.stop.then(() => {
    interrupted = true;
    graceTimer = setTimeout(() => cutOff.abort(), interruption.inFlightGraceMs ?? 2_000);
  });
  void interruption?.now?.then(() => cutOff.abort());
  let next = 0;
  let sent = 0;
  const finished = (outcome: DeliveryOutcome) => {
    if (plan) outcomes.push(outcome);
    else outcomes[outcome.order - 1] = outcome;
  };
  const send = (request: SignedRequest, duplicate: boolean) =>
    sendOne(request, ++sent, duplicate, route, options, cutOff.signal).then(finished);
  const worker = async () => {
    while (next < total && !interrupted) {
      const position = next++;
      const planned = plan?.at(position) ?? { delivery: position, delayMs: 0, duplicate: undefined };
      if (planned.delayMs > 0) await sleep(planned.delayMs);
      if (interrupted) break;
      const request = signedRequest(prepared[planned.delivery % prepared.length]!, planned.delayMs, options);
      if (planned.duplicate === 'concurrent') await Promise.all([send(request, false), send(request, true)]);
      else await send(request, false);
      if (planned.duplicate === 'after-answer' && !interrupted) await send(request, true);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, worker));
  } finally {
    clearTimeout(graceTimer);
    route.agent.destroy();
  }
  if (plan) return { outcomes: outcomes.sort((a, b) => a.order - b.order), interrupted };
  // filter() skips the holes left by requests never started.
  return { outcomes: interrupted ? outcomes.filter(() => true) : outcomes, interrupted };
}

/** A delivery's id and signed headers, ready to go (and to go again, unchanged, as a duplicate). */
export interface SignedRequest {
  item: PreparedDelivery;
  deliveryId: string;
  headers: ReturnType<typeof webhookHeaders>;
  delayMs: number;
}

/** A delivery's id and signed headers: a duplicate sends these again, unchanged. */
export function signedRequest(
  item: PreparedDelivery,
  delayMs: number,
  options: Pick<SendOptions, 'secret' | 'userAgent' | 'extraHeaders'>,
): SignedRequest {
  const deliveryId = newDeliveryId();
  // Last, so an unsigned run's --header may set what signing would have (parseHeaderFlags refuses that otherwise).
  const headers = {
    ...webhookHeaders({
      event: item.event,
      deliveryId,
      body: item.body,
      secret: options.secret,
      userAgent: options.userAgent,
    }),
    ...options.extraHeaders,
  };
  return { item, deliveryId, delayMs, headers };
}

async function sendOne(
  { item, deliveryId, headers, delayMs }: SignedRequest,
  order: number,
  duplicate: boolean,
  { agent, proxy }: RoutedAgent,
  options: SendOptions,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const createdAt = Date.now();
  const result = await sendRequest({
    url: options.url,
    headers,
    body: item.body,
    timeoutMs: options.timeoutMs,
    agent,
    proxy,
    signal,
  });
  options.record({
    ...sentRecord(
      { source: 'trigger', createdAt, event: item.event, deliveryId, url: options.url, headers, body: item.body },
      result,
    ),
    duplicate,
  });
  return {
    ...result,
    event: item.event,
    deliveryId,
    url: options.url,
    ok: isSuccessStatus(result.status),
    order,
    duplicate,
    delayMs: duplicate ? 0 : delayMs,
    step: item.step,
  };
}
