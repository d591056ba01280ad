/**
 * The emulator's delivery engine: takes due deliveries from the store, signs each with its
 * webhook's secret, sends it, and records the attempt with what follows (retry time from the
 * retry schedule, or done). All state is in the store, so stopping at any moment — even
 * `kill -9` — loses nothing: on the next start, pending deliveries go out with the same id.
 */
import type { FaultStream } from '../core/fault-plan.js';
import { GroupCommit } from '../core/group-commit.js';
import { isSuccessStatus } from '../core/http-status.js';
import {
  DISABLE_AFTER_CONSECUTIVE_FAILURES,
  failureKindOf,
  MAX_RETRIES,
  retryDelayMs,
} from '../core/retry-schedule.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { type AttemptResult, AttemptSender } from './attempt-sender.js';
import type {
  AttemptOutcome,
  DeliveryState,
  DueDelivery,
  EmulatorStore,
  NewDelivery,
  RecordedAttempt,
  Webhook,
} from './emulator-store.js';

export interface EngineOptions {
  /** Multiplies every retry delay (`serve --time-scale`); must be > 0. */
  timeScale: number;
  userAgent: string;
  /** Attempts in flight at once, across all webhooks. */
  concurrency?: number;
  /** Deadline of one attempt; the platform's is 10 s. */
  timeoutMs?: number;
  /** Called after every attempt is recorded (logs, `test` answers). */
  onAttempt?: (report: AttemptReport) => void;
  /** Faults injected into new deliveries (`serve --duplicates --jitter --seed`). */
  faults?: FaultStream;
  /** The environment whose HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the attempts. */
  env?: NodeJS.ProcessEnv;
}

/** One attempt, as recorded. */
export interface AttemptReport {
  deliveryId: string;
  webhookId: string;
  event: string;
  url: string;
  attempt: number;
  succeeded: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  state: DeliveryState;
  nextAttemptAt: number | null;
  /** This attempt's failure disabled the webhook. */
  disabledWebhook: boolean;
  /** An attempt of an injected duplicate: same delivery id, bytes and signature as an earlier one. */
  duplicate: boolean;
}

export const DEFAULT_CONCURRENCY = 50;
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** Due deliveries read at once, ahead of the free slots. */
const READ_AHEAD = 256;
/** How long to stop starting attempts after one could not be recorded. */
const STORE_FAILURE_PAUSE_MS = 1_000;
/** setTimeout's ceiling; later wake-ups are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeliveryEngine {
  readonly #store: EmulatorStore;
  readonly #sender: AttemptSender;
  readonly #options: Required<Omit<EngineOptions, 'onAttempt' | 'faults' | 'env'>> &
    Pick<EngineOptions, 'onAttempt' | 'faults' | 'env'>;
  /** Attempts started and not yet recorded, by delivery row; reads of due work leave them out. */
  readonly #inFlight = new Map<number, Promise<void>>();
  /** Attempts waiting for an answer: what `concurrency` bounds. A slot frees at the answer. */
  #sending = 0;
  /** Attempts in flight per webhook, to never start more than the disabling threshold allows. */
  readonly #inFlightPerWebhook = new Map<string, number>();
  readonly #waiters = new Map<string, Array<(report: AttemptReport | undefined) => void>>();
  /** New deliveries and attempt results are written in one transaction per turn. */
  readonly #arrivals: GroupCommit<NewDelivery, undefined>;
  readonly #results: GroupCommit<RecordedAttempt, { consecutiveFailures: number; disabled: boolean }>;
  /** Due deliveries read ahead, in reverse order: the oldest due is popped first (see `#refill`). */
  #ready: DueDelivery[] = [];
  #pausedUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #pumpQueued = false;
  #running = false;

  constructor(store: EmulatorStore, options: EngineOptions) {
    if (!(options.timeScale > 0) || !Number.isFinite(options.timeScale))
      throw new RangeError('timeScale must be a finite number greater than 0');
    this.#store = store;
    this.#options = {
      ...options,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      timeoutMs: options.timeoutMs ?? ATTEMPT_TIMEOUT_MS,
    };
    this.#sender = new AttemptSender({
      connections: this.#options.concurrency,
      timeoutMs: this.#options.timeoutMs,
      env: this.#options.env,
    });
    this.#arrivals = new GroupCommit((items) => (store.enqueue(items), items.map(() => undefined)));
    this.#results = new GroupCommit((items) => store.recordAttempts(items, DISABLE_AFTER_CONSECUTIVE_FAILURES));
  }

  /**
   * Starts delivering, beginning with whatever was pending when the store was last closed.
   * Retries scheduled by an earlier run follow this run's time scale.
   */
  start(): void {
    this.#store.rescheduleRetries(this.#options.timeScale);
    this.#running = true;
    this.wake();
  }

  /**
   * Stores new deliveries (due now, or after a drawn delay with faults on) and resolves once
   * they are safely written. With faults on, some are marked to be sent twice.
   */
  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    await Promise.all(deliveries.map((d) => this.#arrivals.add(this.#withFaults(d))));
    this.wake();
  }

  #withFaults(delivery: NewDelivery): NewDelivery {
    const faults = this.#options.faults;
    if (!faults) return delivery;
    const { duplicate, delayMs } = faults.next();
    // The delay is the emulator's own and is not scaled: --time-scale is about retries.
    return { ...delivery, dueAt: (delivery.dueAt ?? delivery.createdAt) + delayMs, copyPlanned: duplicate };
  }

  /** Due work may be waiting: look for it soon. */
  wake(): void {
    if (!this.#running || this.#pumpQueued) return;
    this.#pumpQueued = true;
    setImmediate(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves with the next recorded attempt of `deliveryId`, or undefined after `timeoutMs`. */
  nextAttemptOf(deliveryId: string, timeoutMs: number): Promise<AttemptReport | undefined> {
    return new Promise((resolve) => {
      const settle = (report: AttemptReport | undefined) => {
        clearTimeout(timer);
        const left = (this.#waiters.get(deliveryId) ?? []).filter((w) => w !== settle);
        if (left.length) this.#waiters.set(deliveryId, left);
        else this.#waiters.delete(deliveryId);
        resolve(report);
      };
      const timer = setTimeout(() => settle(undefined), timeoutMs).unref();
      this.#waiters.set(deliveryId, [...(this.#waiters.get(deliveryId) ?? []), settle]);
    });
  }

  /**
   * Stops starting attempts and waits up to `graceMs` for those in flight. An attempt cut short
   * stays pending in the store and is made again (same delivery id) on the next start.
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight.values()]),
      new Promise((r) => (timer = setTimeout(r, graceMs))),
    ]);
    clearTimeout(timer);
    await this.#sender.close();
  }

  #pump(): void {
    if (!this.#running) return;
    const now = Date.now();
    if (now < this.#pausedUntil) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#pump(), this.#pausedUntil - now);
      return;
    }
    let free = this.#options.concurrency - this.#sending;
    let heldBack = false;
    if (free > 0 && this.#ready.length === 0) this.#refill(now);
    while (free > 0 && this.#ready.length > 0) {
      const due = this.#ready.pop()!;
      const webhook = this.#store.currentWebhook(due.webhookId);
      if (!webhook) continue; // deleted, and its deliveries with it
      if (!webhook.active) {
        this.#store.skipDelivery(
          due.seq,
          `webhook ${webhook.id} is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`,
        );
        continue;
      }
      // Hold back attempts that could not change the outcome: if the ones in flight fail, the
      // webhook is disabled before this one would start. It stays due in the file, read again later.
      const webhookInFlight = this.#inFlightPerWebhook.get(webhook.id) ?? 0;
      if (webhook.consecutiveFailures + webhookInFlight >= DISABLE_AFTER_CONSECUTIVE_FAILURES) {
        heldBack = true;
        continue;
      }
      this.#begin(due, webhook);
      free--;
    }
    this.#armTimer(free === 0 || heldBack);
  }

  /**
   * Reads the next due deliveries, oldest first, leaving out those in flight. One query serves
   * many attempts; the webhook of each is looked up (as it is now) only when it starts.
   */
  #refill(now: number): void {
    const rows = this.#store
      .dueDeliveries(now, READ_AHEAD + this.#inFlight.size)
      .filter((d) => !this.#inFlight.has(d.seq));
    // Kept reversed, so taking the oldest is a pop().
    this.#ready = rows.reverse();
  }

  /**
   * Wakes the pump when the next pending delivery that is not in flight comes due.
   * `waitingForResults`: due work could not start (no free slot, or held back) and each result
   * in flight will call the pump again.
   */
  #armTimer(waitingForResults: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#store.nextDue(this.#inFlight.size + 1).find((d) => !this.#inFlight.has(d.seq));
    if (next === undefined) return;
    const delay = next.at - Date.now();
    if (delay <= 0 && waitingForResults && this.#inFlight.size > 0) return;
    // Otherwise a row came due after the pump looked: look again in 1 ms.
    this.#timer = setTimeout(() => this.#pump(), Math.min(Math.max(delay, 1), MAX_TIMER_MS));
  }

  #begin(due: DueDelivery, webhook: Readonly<Webhook>): void {
    const webhookId = webhook.id;
    this.#inFlightPerWebhook.set(webhookId, (this.#inFlightPerWebhook.get(webhookId) ?? 0) + 1);
    const work = this.#attempt(due, webhook)
      .catch((err: unknown) => {
        // The attempt could not be recorded (disk full, file removed): it stays due in the file
        // and is made again; pause a moment rather than spin against a broken store.
        process.emitWarning(`delivery ${due.id}: ${(err as Error).message}`);
        this.#pausedUntil = Date.now() + STORE_FAILURE_PAUSE_MS;
      })
      .finally(() => {
        this.#inFlight.delete(due.seq);
        const left = (this.#inFlightPerWebhook.get(webhookId) ?? 1) - 1;
        if (left > 0) this.#inFlightPerWebhook.set(webhookId, left);
        else this.#inFlightPerWebhook.delete(webhookId);
        this.wake();
      });
    this.#inFlight.set(due.seq, work);
  }

  async #attempt(due: DueDelivery, webhook: Readonly<Webhook>): Promise<void> {
    const attempt = due.attemptsMade + 1;
    const headers = webhookHeaders({
      event: due.event,
      deliveryId: due.id,
      body: due.body,
      secret: webhook.secret,
      userAgent: this.#options.userAgent,
    }) as Record<string, string>;
    const startedAt = Date.now();
    this.#sending++;
    let result: AttemptResult;
    try {
      result = await this.#sender.send(webhook.url, headers, due.body, webhook.debugMode);
    } finally {
      // The slot is free once the answer is in; recording it shares a transaction with others.
      this.#sending--;
      this.wake();
    }
    if (!this.#running && result.error) return; // cut short by stop(): still due in the file, made again on the next start
    const succeeded = isSuccessStatus(result.status);
    const outcome = this.#outcome(attempt, result, succeeded, startedAt);
    const error = succeeded
      ? null
      : (result.error ??
        `answered ${result.status}${result.status !== undefined && result.status >= 300 && result.status < 400 ? ' (redirects are not followed)' : ''}`);
    const recorded = await this.#results.add({
      attempt: {
        deliveryId: due.id,
        deliverySeq: due.seq,
        webhookId: webhook.id,
        attempt,
        startedAt,
        succeeded,
        responseStatus: result.status ?? null,
        durationMs: result.durationMs,
        error,
        request: webhook.debugMode ? { headers, body: due.body } : undefined,
        response:
          webhook.debugMode && result.status !== undefined
            ? { headers: result.headers ?? {}, body: result.body ?? Buffer.alloc(0) }
            : undefined,
      },
      outcome,
      // The planned copy goes once the first attempt is in, as a platform that missed the answer would send it.
      releaseCopy: due.copyPlanned && attempt === 1,
      disabledReason: `disabled after ${DISABLE_AFTER_CONSECUTIVE_FAILURES} consecutive failed attempts (last: ${error}) — fix the endpoint, then \`webhooks-cli update ${webhook.id} --active\``,
    });
    const report: AttemptReport = {
      deliveryId: due.id,
      webhookId: webhook.id,
      event: due.event,
      url: webhook.url,
      attempt,
      succeeded,
      responseStatus: result.status ?? null,
      durationMs: result.durationMs,
      error,
      state: outcome.state,
      nextAttemptAt: outcome.nextAttemptAt,
      disabledWebhook: recorded.disabled,
      duplicate: due.duplicate,
    };
    this.#options.onAttempt?.(report);
    for (const settle of this.#waiters.get(due.id) ?? []) settle(report);
  }

  #outcome(attempt: number, result: AttemptResult, succeeded: boolean, startedAt: number): AttemptOutcome {
    if (succeeded) return { state: 'succeeded', nextAttemptAt: null, stateReason: null };
    const delay = retryDelayMs(attempt, failureKindOf(result.status));
    if (delay === undefined)
      return { state: 'failed', nextAttemptAt: null, stateReason: `gave up after ${MAX_RETRIES + 1} attempts` };
    // Delays count from the end of the failed attempt. Both parts are stored, unscaled, so a
    // restart with another --time-scale can reschedule the retry (see `start`).
    const from = Math.max(startedAt, Date.now());
    return {
      state: 'pending',
      nextAttemptAt: from + Math.round(delay * this.#options.timeScale),
      stateReason: null,
      retryFrom: from,
      retryDelayMs: delay,
    };
  }
}
