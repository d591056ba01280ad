/**
 * `trigger`'s work, without any printing: prepares signed deliveries from the sample payloads,
 * sends them with bounded concurrency, and records every attempt through `record`.
 */
import http from 'node:http';
import https from 'node:https';
import { newDeliveryId } from '../core/delivery-id.js';
import { applyOverrides, envelopeProblem, OverrideError, serialiseEnvelope, webhookTimestamp, type Envelope, type Override } from '../core/payload.js';
import { summariseLatencies, type LatencySummary } from '../core/stats.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { UsageError } from '../errors.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { schemaDeclaresField } from '../schemas/event-schemas.js';
import { issueLine } from '../core/schema-issue.js';
import { isSuccessStatus } from '../core/http-status.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { sentRecord } from './sent-record.js';
import { sendRequest, type SendResult } from './http-sender.js';

export interface PreparedDelivery {
  event: string;
  body: Buffer;
  /** What `body` serialises, for checking it against the schema. */
  envelope: Envelope;
}

export interface PrepareOptions {
  overrides: readonly Override[];
  /** Parsed `--data`: a whole envelope (has `event` and `data`) or just the data object. */
  data?: unknown;
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
 */
export function prepareDelivery(type: string, { overrides, data, now = new Date(), validate = true }: PrepareOptions): PreparedDelivery {
  let envelope: Envelope;
  if (isEnvelope(data)) {
    envelope = { ...data };
    envelope.timestamp ??= webhookTimestamp(now);
  }
  else if (data !== undefined) envelope = { event: type, timestamp: webhookTimestamp(now), data: data as Record<string, unknown> };
  else envelope = { ...loadSampleEnvelope(type), timestamp: webhookTimestamp(now) };
  try {
    envelope = applyOverrides(envelope, overrides, validate ? (path) => schemaDeclaresField(type, path) : () => true);
  } catch (err) {
    if (err instanceof OverrideError) throw new UsageError(err.message, err.hint);
    throw err;
  }
  const problem = validate ? envelopeProblem(envelope, type) : undefined;
  if (problem) throw new UsageError(problem.message, problem.hint);
  return { event: type, body: serialiseEnvelope(envelope), envelope };
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
    const issues = validator.validate(event, envelope);
    if (issues.length === 0) continue;
    const shown = issues.slice(0, 3).map(issueLine).join('; ');
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
    throw new UsageError(`the payload breaks the ${event} schema: ${shown}${more}`, `fix it (webhooks-cli events schema ${event} shows the rules), or pass --no-validate to send it anyway`);
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
}

export interface SendOptions {
  url: string;
  secret?: string;
  timeoutMs: number;
  concurrency: number;
  userAgent: string;
  record: (record: DeliveryRecord) => void;
  /** Called after each delivery completes (progress bars). */
  onDelivered?: (outcome: DeliveryOutcome, done: number) => void;
}

/**
 * Sends `count` copies of each prepared body (each a new delivery id and signature), at most
 * `concurrency` at a time, over keep-alive connections. Outcomes come back in plan order.
 */
export async function sendDeliveries(prepared: readonly PreparedDelivery[], count: number, options: SendOptions): Promise<DeliveryOutcome[]> {
  const total = prepared.length * count;
  const outcomes: DeliveryOutcome[] = new Array(total);
  const agentOptions = { keepAlive: true, maxSockets: options.concurrency };
  const agent = options.url.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const item = prepared[index % prepared.length]!;
      const outcome = await sendOne(item, agent, options);
      outcomes[index] = outcome;
      done++;
      options.onDelivered?.(outcome, done);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, worker));
  } finally {
    agent.destroy();
  }
  return outcomes;
}

async function sendOne(item: PreparedDelivery, agent: http.Agent, options: SendOptions): Promise<DeliveryOutcome> {
  const deliveryId = newDeliveryId();
  const headers = webhookHeaders({ event: item.event, deliveryId, body: item.body, secret: options.secret, userAgent: options.userAgent });
  const createdAt = Date.now();
  const result = await sendRequest({ url: options.url, headers, body: item.body, timeoutMs: options.timeoutMs, agent });
  options.record(sentRecord({ source: 'trigger', createdAt, event: item.event, deliveryId, url: options.url, headers, body: item.body }, result));
  return { ...result, event: item.event, deliveryId, url: options.url, ok: isSuccessStatus(result.status) };
}

export interface LoadSummary {
  sent: number;
  succeeded: number;
  /** Answered, but not 2xx. */
  failedStatus: number;
  /** No answer at all (refused, timeout, reset). */
  errors: number;
  seconds: number;
  ratePerSecond: number;
  latencyMs: LatencySummary;
  statusCounts: Record<string, number>;
}

export function summariseLoad(outcomes: readonly DeliveryOutcome[], seconds: number): LoadSummary {
  const statusCounts: Record<string, number> = {};
  let succeeded = 0;
  let errors = 0;
  for (const o of outcomes) {
    const key = o.status === undefined ? (o.errorCode ?? 'error') : String(o.status);
    statusCounts[key] = (statusCounts[key] ?? 0) + 1;
    if (o.ok) succeeded++;
    else if (o.status === undefined) errors++;
  }
  return {
    sent: outcomes.length,
    succeeded,
    failedStatus: outcomes.length - succeeded - errors,
    errors,
    seconds,
    ratePerSecond: seconds > 0 ? outcomes.length / seconds : 0,
    latencyMs: summariseLatencies(outcomes.filter((o) => o.status !== undefined).map((o) => o.durationMs)),
    statusCounts,
  };
}
