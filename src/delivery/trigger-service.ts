/**
 * `trigger`'s work, without any printing: prepares signed deliveries from the sample payloads,
 * sends them with bounded concurrency, and records every attempt through `record`.
 */
import { setMaxListeners } from 'node:events';
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
  /** The bytes `data` was parsed from: a whole envelope with nothing to change is sent as these. */
  raw?: Buffer;
  /** Indent the body with 2 spaces (`--pretty`). */
  pretty?: boolean;
  now?: Date;
}

/**
 * The body to send for `type`: the sample (or `--data`, a data object or a whole envelope, which
 * is stamped now when it has no timestamp), with overrides applied, checked, serialised once.
 * A whole envelope that needs no change goes out byte for byte, so a receiver is tested against
 * the bytes its author wrote (pretty-printed, `89.90`), not a re-serialisation of them.
 */
export function prepareDelivery(type: string, { overrides, data, raw, pretty = false, now = new Date() }: PrepareOptions): PreparedDelivery {
  let envelope: Envelope;
  if (isEnvelope(data)) {
    envelope = { ...data };
    const asWritten = raw !== undefined && overrides.length === 0 && !pretty && envelope.timestamp !== undefined;
    envelope.timestamp ??= webhookTimestamp(now);
    if (asWritten) return { event: type, body: checked(envelope, type, () => raw) };
  }
  else if (data !== undefined) envelope = { event: type, timestamp: webhookTimestamp(now), data: data as Record<string, unknown> };
  else envelope = { ...loadSampleEnvelope(type), timestamp: webhookTimestamp(now) };
  try {
    envelope = applyOverrides(envelope, overrides);
  } catch (err) {
    if (err instanceof OverrideError) throw new UsageError(err.message, err.hint);
    throw err;
  }
  return { event: type, body: checked(envelope, type, () => serialiseEnvelope(envelope, { pretty })) };
}

function checked(envelope: Envelope, type: string, body: () => Buffer): Buffer {
  const problem = envelopeProblem(envelope, type);
  if (problem) throw new UsageError(problem.message, problem.hint);
  return body();
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
  /** Ctrl-C: see `Interruption`. */
  interruption?: Interruption;
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
  /** One per request sent, in plan order; fewer than planned when interrupted. */
  outcomes: DeliveryOutcome[];
  interrupted: boolean;
}

/**
 * Sends `count` copies of each prepared body (each a new delivery id and signature), at most
 * `concurrency` at a time, over keep-alive connections, until done or interrupted.
 */
export async function sendDeliveries(prepared: readonly PreparedDelivery[], count: number, options: SendOptions): Promise<SendRun> {
  const total = prepared.length * count;
  const outcomes: DeliveryOutcome[] = new Array(total);
  const agentOptions = { keepAlive: true, maxSockets: options.concurrency };
  const agent = options.url.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const cutOff = new AbortController();
  // Every request in flight listens for it: as many as `concurrency`.
  setMaxListeners(options.concurrency + 1, cutOff.signal);
  let interrupted = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const { interruption } = options;
  void interruption?.stop.then(() => {
    interrupted = true;
    graceTimer = setTimeout(() => cutOff.abort(), interruption.inFlightGraceMs ?? 2_000);
  });
  void interruption?.now?.then(() => cutOff.abort());
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total && !interrupted) {
      const index = next++;
      const item = prepared[index % prepared.length]!;
      const outcome = await sendOne(item, agent, options, cutOff.signal);
      outcomes[index] = outcome;
      done++;
      options.onDelivered?.(outcome, done);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, worker));
  } finally {
    clearTimeout(graceTimer);
    agent.destroy();
  }
  // filter() skips the holes left by requests never started.
  return { outcomes: interrupted ? outcomes.filter(() => true) : outcomes, interrupted };
}

async function sendOne(item: PreparedDelivery, agent: http.Agent, options: SendOptions, signal: AbortSignal): Promise<DeliveryOutcome> {
  const deliveryId = newDeliveryId();
  const headers = webhookHeaders({ event: item.event, deliveryId, body: item.body, secret: options.secret, userAgent: options.userAgent });
  const createdAt = Date.now();
  const result = await sendRequest({ url: options.url, headers, body: item.body, timeoutMs: options.timeoutMs, agent, signal });
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
  /** Cut short by Ctrl-C: `sent` is what went out before it. */
  interrupted: boolean;
}

export function summariseLoad(outcomes: readonly DeliveryOutcome[], seconds: number, interrupted = false): LoadSummary {
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
    interrupted,
  };
}
