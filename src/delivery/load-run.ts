/**
 * `trigger`'s load runs (`--count`, `--rate`, `--duration`), without any printing. With a rate the
 * run is an open model: each delivery goes out when it is due whatever the receiver does, and its
 * latency counts from that moment, so a receiver that stalls shows in the percentiles instead of
 * quietly slowing the sender down (coordinated omission); without one, each connection sends its
 * next delivery when the last is answered. Every delivery is signed with its own delivery id and
 * recorded; the signing is done ahead in batches and the records are written in batches, so the
 * path from an answer to the next request stays short.
 */
import type { PlannedSend } from '../core/fault-plan.js';
import { isSuccessStatus } from '../core/http-status.js';
import { dueAtMs, LATE_AFTER_MS, scheduleKept } from '../core/load-shape.js';
import type { OwnFields, SharedFields } from '../store/delivery-spool.js';
import type { SendResult } from './http-sender.js';
import { type LatencyFigures, type LiveFigures, LoadStats, type TimelineSecond } from './load-stats.js';
import { HANDFUL, loadTransport } from './load-transport.js';
import { ownSentFields, sharedSentFields } from './sent-record.js';
import {
  type DeliveryOutcome,
  type Interruption,
  type PreparedDelivery,
  type SignedRequest,
  signedRequest,
} from './trigger-service.js';

export interface LoadRunOptions {
  url: string;
  secret?: string;
  timeoutMs: number;
  userAgent: string;
  /** `--header`s (lower-case names, already checked), applied over the signed headers. */
  extraHeaders?: Record<string, string>;
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the requests. */
  env?: NodeJS.ProcessEnv;
  /** The most deliveries in flight at once (a concurrent duplicate goes beside its original). */
  concurrency: number;
  /** Deliveries a second, on schedule (the open model); undefined for the closed model. */
  rate?: number;
  /** How many deliveries go; undefined when only `durationMs` ends the run. */
  total?: number;
  /** The closed model stops sending after this long (the open model's total already says when). */
  durationMs?: number;
  /** Faults: which delivery goes at each position, after what delay, and whether twice. */
  plan?: { at(position: number): PlannedSend };
  /**
   * Takes the record of each request as it is answered: what the records of one body share (the
   * same object each time), and its own fields. It should batch its writes.
   */
  record: (shared: SharedFields, own: OwnFields) => void;
  /** Ctrl-C: see `Interruption`. */
  interruption?: Interruption;
  /** Called four times a second with what the live line shows. */
  onProgress?: (figures: LiveFigures) => void;
}

/** How well an open-model run kept to its schedule. */
export interface ScheduleReport {
  rate: number;
  /** Whether it was kept well enough to measure the rate asked for (`scheduleKept`). */
  kept: boolean;
  /** Deliveries that went out more than LATE_AFTER_MS after they were due. */
  late: number;
  /** How far behind schedule the latest one went out, in ms. */
  maxBehindMs: number;
  /** The rate the deliveries actually went out at, from the start to the last one. */
  sentPerSecond: number;
  /** Why deliveries went late: every request allowed was in flight, or the sender itself was too slow. */
  limitedBy?: 'concurrency' | 'sender';
}

export interface LoadReport {
  sent: number;
  /** Of those sent, second sends of a delivery (`--duplicates`). */
  duplicates: number;
  succeeded: number;
  /** Answered, but not 2xx. */
  failedStatus: number;
  /** No answer at all (refused, timeout, reset, interrupted). */
  errors: number;
  /** Answers slower than the platform's 10 s timeout (which it would retry). */
  platformTimeouts: number;
  /** From the start to the last answer. */
  seconds: number;
  ratePerSecond: number;
  latencyMs: LatencyFigures;
  /** Where latency counts from: each delivery's due time (open model) or the moment it went out. */
  latencyFrom: 'scheduled' | 'sent';
  statusCounts: Record<string, number>;
  timeline: TimelineSecond[];
  concurrency: number;
  schedule?: ScheduleReport;
  /** Cut short by Ctrl-C: `sent` is what went out before it. */
  interrupted: boolean;
  /** One outcome for each way deliveries failed, with how many failed that way, most first. */
  failures: Array<DeliveryOutcome & { count: number }>;
}

/** A signed delivery with its place in the plan, ready to go on the wire. */
type ScheduledRequest = SignedRequest & { body: Buffer; planned: PlannedSend; pairAnswered?: number };

/** How many deliveries are signed ahead of the sends; how often the live line is drawn. */
const SIGN_AHEAD = 256;
const PROGRESS_EVERY_MS = 250;

/** Sends `prepared` (cycled through) as `options` shape the run, until done or interrupted. */
export async function runLoad(prepared: readonly PreparedDelivery[], options: LoadRunOptions): Promise<LoadReport> {
  const { rate, plan } = options;
  const total = options.total ?? Number.POSITIVE_INFINITY;
  const duplicates = plan && hasDuplicates(plan, total);
  const transport = await loadTransport(
    {
      url: options.url,
      // A concurrent duplicate needs a second connection beside its original's.
      connections: options.concurrency * (duplicates ? 2 : 1),
      timeoutMs: options.timeoutMs,
      env: options.env ?? {},
    },
    rate === undefined && options.durationMs === undefined && total <= HANDFUL,
  );
  const started = performance.now();
  const startedAtEpoch = Date.now();
  const stats = new LoadStats(started, options.timeoutMs);
  const signing = new SigningQueue(prepared, options);
  const recorder = new Recorder(options.record, options.url);
  const failures = new Map<string, DeliveryOutcome & { count: number }>();
  const endAt = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  const schedule = { late: 0, maxBehindMs: 0, capReached: false, lastSent: started };

  let next = 0;
  let holding = 0;
  let order = 0;
  let stopped = false;
  let interrupted = false;
  let timer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const sendingOver = (now: number) => stopped || next >= total || (rate === undefined && now >= endAt);
  const settle = () => {
    if (holding === 0 && sendingOver(performance.now())) finish();
  };

  const pump = () => {
    while (!stopped && next < total && holding < options.concurrency) {
      const now = performance.now();
      let due = now;
      if (rate === undefined) {
        if (now >= endAt) break;
      } else {
        due = started + dueAtMs(next, rate);
        if (due > now) {
          timer ??= setTimeout(
            () => {
              timer = undefined;
              pump();
            },
            Math.max(1, due - now),
          );
          return;
        }
        const behind = now - due;
        if (behind > LATE_AFTER_MS) {
          schedule.late++;
          schedule.maxBehindMs = Math.max(schedule.maxBehindMs, behind);
        }
        schedule.lastSent = now;
      }
      next++;
      launch(signing.next(), due);
    }
    if (rate !== undefined && !stopped && next < total && started + dueAtMs(next, rate) <= performance.now())
      schedule.capReached = true;
  };

  // The steps of one delivery, made once for the run (not per delivery): a delivery of the plan holds
  // its place among those in flight until it, and any copy of it, is answered.
  const release = () => {
    holding--;
    pump();
    settle();
  };
  const afterOriginal = (request: ScheduledRequest) => {
    if (request.planned.duplicate === 'after-answer' && !interrupted) send(request, true, performance.now(), release);
    else release();
  };
  const afterEitherOfPair = (request: ScheduledRequest) => {
    request.pairAnswered = (request.pairAnswered ?? 0) + 1;
    if (request.pairAnswered === 2) release();
  };
  const go = (request: ScheduledRequest, intended: number) => {
    if (interrupted) return release();
    if (request.planned.duplicate === 'concurrent') {
      send(request, false, intended, afterEitherOfPair);
      send(request, true, intended, afterEitherOfPair);
    } else send(request, false, intended, afterOriginal);
  };
  const launch = (request: ScheduledRequest, due: number) => {
    holding++;
    const { delayMs } = request.planned;
    if (delayMs > 0) setTimeout(go, delayMs, request, due + delayMs);
    else go(request, due);
  };

  const send = (
    request: ScheduledRequest,
    copy: boolean,
    intended: number,
    after: (request: ScheduledRequest) => void,
  ) => {
    const at = performance.now();
    const second = stats.wentOut(at, copy);
    const position = ++order;
    transport.send(request, (result) => {
      const now = performance.now();
      stats.answered(second, result, now - intended, now);
      if (result.status === undefined || !isSuccessStatus(result.status))
        noteFailure(failures, outcomeOf(request, result, options.url, position, copy));
      // The next request first, then the record: recording is not on the path from an answer to the next send.
      after(request);
      recorder.add(request, result, startedAtEpoch + (at - started), copy);
    });
  };

  const interruption = options.interruption;
  void interruption?.stop.then(() => {
    if (stopped && !interrupted && holding === 0) return;
    stopped = interrupted = true;
    clearTimeout(timer);
    graceTimer = setTimeout(() => transport.interruptAll(), interruption.inFlightGraceMs ?? 2_000);
    settle();
  });
  void interruption?.now?.then(() => transport.interruptAll());
  const progress = options.onProgress
    ? setInterval(() => options.onProgress!(stats.live(performance.now())), PROGRESS_EVERY_MS)
    : undefined;

  try {
    pump();
    settle();
    await finished;
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    clearInterval(progress);
    stopped = true;
    await transport.close();
  }

  const seconds = (performance.now() - started) / 1000;
  const originals = stats.sent - stats.duplicates;
  return {
    sent: stats.sent,
    duplicates: stats.duplicates,
    succeeded: stats.succeeded,
    failedStatus: stats.failedStatus,
    errors: stats.errors,
    platformTimeouts: stats.platformTimeouts,
    seconds,
    ratePerSecond: seconds > 0 ? stats.sent / seconds : 0,
    latencyMs: stats.latency(),
    latencyFrom: rate === undefined ? 'sent' : 'scheduled',
    statusCounts: stats.statusCounts,
    timeline: stats.timeline(),
    concurrency: options.concurrency,
    ...(rate === undefined
      ? {}
      : {
          schedule: {
            rate,
            kept: scheduleKept(schedule, originals),
            late: schedule.late,
            maxBehindMs: Math.round(schedule.maxBehindMs),
            sentPerSecond:
              originals > 1 ? (originals - 1) / Math.max(0.001, (schedule.lastSent - started) / 1000) : originals,
            ...(schedule.late > 0 ? { limitedBy: schedule.capReached ? 'concurrency' : 'sender' } : {}),
          } satisfies ScheduleReport,
        }),
    interrupted,
    failures: [...failures.values()].sort((a, b) => b.count - a.count),
  };
}

/** Whether any of the first positions of `plan` sends a delivery twice (a run without a total looks at a block). */
function hasDuplicates(plan: { at(position: number): PlannedSend }, total: number): boolean {
  const look = Math.min(total, 4096);
  for (let i = 0; i < look; i++) if (plan.at(i).duplicate) return true;
  return false;
}

/**
 * Deliveries signed before they are due, a batch at a time, each with its own id: a duplicate
 * sends the same signed request again. The next batch is signed once the sends of this turn of
 * the event loop are out.
 */
class SigningQueue {
  readonly #prepared: readonly PreparedDelivery[];
  readonly #options: LoadRunOptions;
  #ready: ScheduledRequest[] = [];
  #head = 0;
  /** The position of the next request to sign. */
  #position = 0;
  #refilling = false;

  constructor(prepared: readonly PreparedDelivery[], options: LoadRunOptions) {
    this.#prepared = prepared;
    this.#options = options;
  }

  /** The next delivery of the plan, signed: positions are taken in order, from 0. */
  next(): ScheduledRequest {
    if (this.#head >= this.#ready.length) this.#sign();
    const request = this.#ready[this.#head++]!;
    if (!this.#refilling && this.#ready.length - this.#head < SIGN_AHEAD / 2) {
      this.#refilling = true;
      setImmediate(() => {
        this.#refilling = false;
        this.#sign();
      });
    }
    return request;
  }

  #sign(): void {
    const ready = this.#ready.slice(this.#head);
    const total = this.#options.total ?? Number.POSITIVE_INFINITY;
    while (ready.length < SIGN_AHEAD && this.#position < total) {
      const position = this.#position++;
      const planned = this.#options.plan?.at(position) ?? { delivery: position, delayMs: 0, duplicate: undefined };
      const item = this.#prepared[planned.delivery % this.#prepared.length]!;
      ready.push({ ...signedRequest(item, planned.delayMs, this.#options), body: item.body, planned });
    }
    this.#ready = ready;
    this.#head = 0;
  }
}

/** A record for each request, what the records of one body share made once. */
class Recorder {
  readonly #record: LoadRunOptions['record'];
  readonly #url: string;
  readonly #shared = new Map<PreparedDelivery, SharedFields>();

  constructor(record: LoadRunOptions['record'], url: string) {
    this.#record = record;
    this.#url = url;
  }

  add(request: SignedRequest, result: SendResult, createdAt: number, duplicate: boolean): void {
    const { item } = request;
    let shared = this.#shared.get(item);
    if (!shared) {
      shared = sharedSentFields({ source: 'trigger', event: item.event, url: this.#url, body: item.body });
      this.#shared.set(item, shared);
    }
    this.#record(
      shared,
      ownSentFields({ createdAt, deliveryId: request.deliveryId, headers: request.headers }, result, duplicate),
    );
  }
}

function outcomeOf(
  request: SignedRequest,
  result: SendResult,
  url: string,
  order: number,
  duplicate: boolean,
): DeliveryOutcome {
  return {
    ...result,
    event: request.item.event,
    deliveryId: request.deliveryId,
    url,
    ok: result.status !== undefined && isSuccessStatus(result.status),
    order,
    duplicate,
    delayMs: duplicate ? 0 : request.delayMs,
    step: request.item.step,
  };
}

/** Keeps the first outcome of each way of failing (a status, a relay's own answer, an error) and counts the rest. */
function noteFailure(failures: Map<string, DeliveryOutcome & { count: number }>, outcome: DeliveryOutcome): void {
  const key =
    outcome.status === undefined
      ? `error:${outcome.errorCode ?? 'other'}`
      : `status:${outcome.status}:${outcome.headers?.['x-relay-error'] ?? ''}`;
  const seen = failures.get(key);
  if (seen) seen.count++;
  else failures.set(key, { ...outcome, count: 1 });
}
