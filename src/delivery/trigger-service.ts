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
import { isSuccessStatus } from '../core/http-status.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { sentRecord } from './sent-record.js';
import { sendRequest, type SendResult } from './http-sender.js';

export interface PreparedDelivery {
  event: string;
  body: Buffer;
}

export interface PrepareOptions {
  overrides: readonly Override[];
  /** Parsed `--data`: a whole envelope (has `event` and `data`) or just the data object. */
  data?: unknown;
  now?: Date;
}

/**
 * The body to send for `type`: the sample (or `--data`, a data object or a whole envelope, which
 * is stamped now when it has no timestamp), with overrides applied, checked, serialised once.
 */
export function prepareDelivery(type: string, { overrides, data, now = new Date() }: PrepareOptions): PreparedDelivery {
  let envelope: Envelope;
  if (isEnvelope(data)) {
    envelope = { ...data };
    envelope.timestamp ??= webhookTimestamp(now);
  }
  else if (data !== undefined) envelope = { event: type, timestamp: webhookTimestamp(now), data: data as Record<string, unknown> };
  else envelope = { ...loadSampleEnvelope(type), timestamp: webhookTimestamp(now) };
  try {
    envelope = applyOverrides(envelope, overrides);
  } catch (err) {
    if (err instanceof OverrideError) throw new UsageError(err.message, err.hint);
    throw err;
  }
  const problem = envelopeProblem(envelope, type);
  if (problem) throw new UsageError(problem.message, problem.hint);
  return { event: type, body: serialiseEnvelope(envelope) };
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
