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
import type { AttemptOutcome, DeliveryState, DueDelivery, EmulatorStore } from './emulator-store.js';

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

/** Due rows read beyond the free slots, so in-flight or held-back rows do not hide others. */
const LOOKAHEAD = 32;
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
  #timer: NodeJS.Timeout | undefined;
  #pumpQueued = false;
  #running = false;

  constructor(store: EmulatorStore, options: EngineOptions) {
    if (!(options.timeScale > 0) || !Number.isFinite(options.timeScale)) throw new RangeError('timeScale must be a finite number greater than 0');
    this.#store = store;
    this.#options = { ...options, concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, timeoutMs: options.timeoutMs ?? ATTEMPT_TIMEOUT_MS };
    this.#sender = new AttemptSender({ connections: this.#options.concurrency, timeoutMs: this.#options.timeoutMs });
  }

  /** Starts delivering, beginning with whatever was pending when the store was last closed. */
  start(): void {
    this.#running = true;
    this.wake();
  }

  /** New deliveries were stored: look for due work soon. */
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
      let started = 0;
      for (const due of this.#store.dueDeliveries(now, free + this.#inFlight.size + LOOKAHEAD)) {
        if (started >= free) break;
        if (this.#inFlight.has(due.id)) continue;
        if (!due.webhook.active) {
          this.#store.skipDelivery(due.id, `webhook ${due.webhook.id} is disabled${due.webhook.disabledReason ? `: ${due.webhook.disabledReason}` : ''}`);
          continue;
        }
        // Hold back attempts that could not change the outcome: if the ones in flight fail, the
        // webhook is disabled before this one would start.
        const webhookInFlight = this.#inFlightPerWebhook.get(due.webhook.id) ?? 0;
        if (due.webhook.consecutiveFailures + webhookInFlight >= DISABLE_AFTER_CONSECUTIVE_FAILURES) continue;
        this.#begin(due);
        started++;
      }
    }
    this.#armTimer();
  }

  #armTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#store.nextDueAt();
    if (next === undefined) return;
    const delay = next - Date.now();
    // Due now but not started: a slot or an in-flight result will call the pump again.
    if (delay <= 0) return;
    this.#timer = setTimeout(() => this.#pump(), Math.min(delay, MAX_TIMER_MS));
  }

  #begin(due: DueDelivery): void {
    const webhookId = due.webhook.id;
    this.#inFlightPerWebhook.set(webhookId, (this.#inFlightPerWebhook.get(webhookId) ?? 0) + 1);
    const work = this.#attempt(due)
      .catch((err: unknown) => {
        // A store failure (disk full, file removed): the delivery stays pending for the next start.
        process.emitWarning(`delivery ${due.id}: ${(err as Error).message}`);
      })
      .finally(() => {
        this.#inFlight.delete(due.id);
        const left = (this.#inFlightPerWebhook.get(webhookId) ?? 1) - 1;
        if (left > 0) this.#inFlightPerWebhook.set(webhookId, left);
        else this.#inFlightPerWebhook.delete(webhookId);
        this.wake();
      });
    this.#inFlight.set(due.id, work);
  }

  async #attempt(due: DueDelivery): Promise<void> {
    const { webhook } = due;
    const attempt = due.attemptsMade + 1;
    const headers = webhookHeaders({ event: due.event, deliveryId: due.id, body: due.body, secret: webhook.secret, userAgent: this.#options.userAgent }) as Record<string, string>;
    const startedAt = Date.now();
    const result = await this.#sender.send(webhook.url, headers, due.body, webhook.debugMode);
    if (!this.#running && result.error) return; // cut short by stop(): stays pending, re-attempted on the next start
    const succeeded = isSuccessStatus(result.status);
    const outcome = this.#outcome(attempt, result, succeeded, startedAt);
    const error = succeeded ? null : result.error ?? `answered ${result.status}${result.status !== undefined && result.status >= 300 && result.status < 400 ? ' (redirects are not followed)' : ''}`;
    const recorded = this.#store.recordAttempt(
      {
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
      DISABLE_AFTER_CONSECUTIVE_FAILURES,
      `disabled after ${DISABLE_AFTER_CONSECUTIVE_FAILURES} consecutive failed attempts (last: ${error}) — fix the endpoint, then \`webhooks-cli update ${webhook.id} --active\``,
    );
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
