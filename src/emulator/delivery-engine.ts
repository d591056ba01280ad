/**
 * The emulator's delivery engine: takes due deliveries from the store, signs each with its
 * webhook's secret, sends it, and records the attempt with what follows (retry time from the
 * retry schedule, or done). All state is in the store, so stopping at any moment — even
 * `kill -9` — loses nothing: on the next start, pending deliveries go out with the same id.
 */
import { DISABLE_AFTER_CONSECUTIVE_FAILURES, failureKindOf, MAX_RETRIES, retryDelayMs } from '../core/retry-schedule.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { isSuccessStatus } from '../store/delivery-record.js';
import { AttemptSender, type AttemptResult } from './attempt-sender.js';
import type { AttemptOutcome, DeliveryState, DueDelivery, EmulatorStore, NewDelivery, RecordedAttempt } from './emulator-store.js';
import { GroupCommit } from './group-commit.js';

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
}

export const DEFAULT_CONCURRENCY = 50;
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** Free slots that make a finished attempt look for more work (1 would query once per result). */
const REFILL_BATCH = 8;
/** Due rows read beyond the free slots, so held-back rows do not hide others. */
const LOOKAHEAD = 16;
/** setTimeout's ceiling; later wake-ups are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeliveryEngine {
  readonly #store: EmulatorStore;
  readonly #sender: AttemptSender;
  readonly #options: Required<Omit<EngineOptions, 'onAttempt'>> & Pick<EngineOptions, 'onAttempt'>;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Attempts in flight per webhook, to never start more than the disabling threshold allows. */
  readonly #inFlightPerWebhook = new Map<string, number>();
  readonly #waiters = new Map<string, Array<(report: AttemptReport) => void>>();
  /** New deliveries and attempt results are written in one transaction per turn. */
  readonly #arrivals: GroupCommit<NewDelivery, undefined>;
  readonly #results: GroupCommit<RecordedAttempt, { consecutiveFailures: number; disabled: boolean }>;
  #timer: NodeJS.Timeout | undefined;
  #pumpQueued = false;
  #running = false;

  constructor(store: EmulatorStore, options: EngineOptions) {
    if (!(options.timeScale > 0) || !Number.isFinite(options.timeScale)) throw new RangeError('timeScale must be a finite number greater than 0');
    this.#store = store;
    this.#options = { ...options, concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs: options.timeoutMs ?? ATTEMPT_TIMEOUT_MS };
    this.#sender = new AttemptSender({ connections: this.#options.concurrency, timeoutMs: this.#options.timeoutMs });
    this.#arrivals = new GroupCommit((items) => (store.enqueue(items), items.map(() => undefined)));
    this.#results = new GroupCommit((items) => store.recordAttempts(items, DISABLE_AFTER_CONSECUTIVE_FAILURES));
  }

  /** Starts delivering, beginning with whatever was pending when the store was last closed. */
  start(): void {
    this.#running = true;
    this.wake();
  }

  /** Stores new deliveries (due now) and resolves once they are safely written. */
  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    await Promise.all(deliveries.map((d) => this.#arrivals.add(d)));
    this.wake();
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

  /** Resolves with the next recorded attempt of `deliveryId`. */
  nextAttemptOf(deliveryId: string): Promise<AttemptReport> {
    return new Promise((resolve) => {
      const list = this.#waiters.get(deliveryId) ?? [];
      list.push(resolve);
      this.#waiters.set(deliveryId, list);
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
    await Promise.race([Promise.allSettled([...this.#inFlight.values()]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.#sender.close();
  }

  #pump(): void {
    if (!this.#running) return;
    const free = this.#options.concurrency - this.#inFlight.size;
    if (free > 0) {
      const now = Date.now();
      const starting: DueDelivery[] = [];
      for (const due of this.#store.dueDeliveries(now, free + LOOKAHEAD)) {
        if (starting.length >= free) break;
        if (this.#inFlight.has(due.id)) continue;
        if (!due.webhook.active) {
          this.#store.skipDelivery(due.id, `webhook ${due.webhook.id} is disabled${due.webhook.disabledReason ? `: ${due.webhook.disabledReason}` : ''}`);
          continue;
        }
        // Hold back attempts that could not change the outcome: if the ones in flight fail, the
        // webhook is disabled before this one would start.
        const webhookInFlight = this.#inFlightPerWebhook.get(due.webhook.id) ?? 0;
        if (due.webhook.consecutiveFailures + webhookInFlight >= DISABLE_AFTER_CONSECUTIVE_FAILURES) continue;
        starting.push(due);
      }
      this.#store.claim(starting.map((d) => d.id));
      for (const due of starting) this.#begin(due);
    }
    this.#armTimer();
  }

  /** Wakes the pump when the next pending delivery comes due. */
  #armTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#store.nextDueAt();
    if (next === undefined) return;
    const delay = next - Date.now();
    // Due already: while attempts are in flight, their results call the pump again. With none
    // in flight, the row came due between the pump's query and now: look again in 1 ms.
    if (delay <= 0 && this.#inFlight.size > 0) return;
    this.#timer = setTimeout(() => this.#pump(), Math.min(Math.max(delay, 1), MAX_TIMER_MS));
  }

  #begin(due: DueDelivery): void {
    const webhookId = due.webhook.id;
    this.#inFlightPerWebhook.set(webhookId, (this.#inFlightPerWebhook.get(webhookId) ?? 0) + 1);
    const work = this.#attempt(due)
      .catch((err: unknown) => {
        // A store failure (disk full, file removed): the delivery stays pending, due again.
        process.emitWarning(`delivery ${due.id}: ${(err as Error).message}`);
        try {
          this.#store.release(Date.now(), due.id);
        } catch {
          // The next start releases it.
        }
      })
      .finally(() => {
        this.#inFlight.delete(due.id);
        const left = (this.#inFlightPerWebhook.get(webhookId) ?? 1) - 1;
        if (left > 0) this.#inFlightPerWebhook.set(webhookId, left);
        else this.#inFlightPerWebhook.delete(webhookId);
        // Refill slots a few at a time: one look at the queue per batch, not per result.
        if (this.#options.concurrency - this.#inFlight.size >= REFILL_BATCH || this.#inFlight.size === 0) this.wake();
      });
    this.#inFlight.set(due.id, work);
  }

  async #attempt(due: DueDelivery): Promise<void> {
    const { webhook } = due;
    const attempt = due.attemptsMade + 1;
    const headers = webhookHeaders({ event: due.event, deliveryId: due.id, body: due.body, secret: webhook.secret, userAgent: this.#options.userAgent }) as Record<string, string>;
    const startedAt = Date.now();
    const result = await this.#sender.send(webhook.url, headers, due.body, webhook.debugMode);
    if (!this.#running && result.error) return; // cut short by stop(): stays in flight in the file, due again on the next start
    const succeeded = isSuccessStatus(result.status);
    const outcome = this.#outcome(attempt, result, succeeded, startedAt);
    const error = succeeded ? null : result.error ?? `answered ${result.status}${result.status !== undefined && result.status >= 300 && result.status < 400 ? ' (redirects are not followed)' : ''}`;
    const recorded = await this.#results.add({
      attempt: {
        deliveryId: due.id,
        webhookId: webhook.id,
        attempt,
        startedAt,
        succeeded,
        responseStatus: result.status ?? null,
        durationMs: result.durationMs,
        error,
        request: webhook.debugMode ? { headers, body: due.body } : undefined,
        response: webhook.debugMode && result.status !== undefined ? { headers: result.headers ?? {}, body: result.body ?? Buffer.alloc(0) } : undefined,
      },
      outcome,
      disabledReason: `disabled after ${DISABLE_AFTER_CONSECUTIVE_FAILURES} consecutive failed attempts (last: ${error}) — fix the endpoint, then \`webhooks-cli update ${webhook.id} --active\``,
    });
    const report: AttemptReport = {
      deliveryId: due.id, webhookId: webhook.id, event: due.event, url: webhook.url, attempt, succeeded,
      responseStatus: result.status ?? null, durationMs: result.durationMs, error, state: outcome.state, nextAttemptAt: outcome.nextAttemptAt,
      disabledWebhook: recorded.disabled,
    };
    this.#options.onAttempt?.(report);
    const waiters = this.#waiters.get(due.id);
    if (waiters) {
      this.#waiters.delete(due.id);
      for (const resolve of waiters) resolve(report);
    }
  }

  #outcome(attempt: number, result: AttemptResult, succeeded: boolean, startedAt: number): AttemptOutcome {
    if (succeeded) return { state: 'succeeded', nextAttemptAt: null, stateReason: null };
    const delay = retryDelayMs(attempt, failureKindOf(result.status), this.#options.timeScale);
    if (delay === undefined) return { state: 'failed', nextAttemptAt: null, stateReason: `gave up after ${MAX_RETRIES + 1} attempts` };
    // Delays count from the end of the failed attempt.
    return { state: 'pending', nextAttemptAt: Math.max(startedAt, Date.now()) + Math.round(delay), stateReason: null };
  }
}
