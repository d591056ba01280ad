/**
 * `listen --forward-to`: when an app rejects (401/403) a delivery whose signature listen verified,
 * the app's own check is wrong — the doctor finds out how, once per route per run, in the
 * background, straight against the route's app. Its requests are recorded as the doctor's; its
 * verdict goes onto the rejected deliveries of that route (those waiting for it and every later
 * one) and to whoever subscribed.
 */
import { isEventType } from '../core/events.js';
import type { DoctorReport } from '../doctor/doctor-run.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import type { Route } from './routes.js';

export interface RouteVerdict {
  route: Route;
  report: DoctorReport;
  /** `cause: summary — fix: …`, as the history keeps it. */
  line: string;
}

export interface RouteDoctorOptions {
  userAgent: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Records the doctor's own requests (outgoing, source doctor). */
  record: (record: DeliveryRecord) => void;
  /** Gives rejected records, already handed to the history, the verdict. */
  annotate: (records: readonly DeliveryRecord[], line: string) => void;
  onVerdict?: (verdict: RouteVerdict) => void;
}

export class RouteDoctor {
  readonly #options: RouteDoctorOptions;
  /** Per route pattern: the verdict's line once known. */
  readonly #verdicts = new Map<string, string>();
  /** Per route pattern being diagnosed: the rejected records waiting for its verdict. */
  readonly #waiting = new Map<string, DeliveryRecord[]>();
  /** Route patterns whose diagnosis has started: once per route per run. */
  readonly #started = new Set<string>();
  readonly #running = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(options: RouteDoctorOptions) {
    this.#options = options;
  }

  /** The verdict on the app behind `route`, once known. */
  verdictFor(route: Route): string | undefined {
    return this.#verdicts.get(route.pattern);
  }

  /**
   * `record` (already recorded) was rejected by `route`'s app though `secret` verified it: it
   * waits for the verdict, and the first such record of a route starts the diagnosis.
   */
  rejected(record: DeliveryRecord, route: Route, secret: string): void {
    if (this.#started.has(route.pattern)) {
      this.#waiting.get(route.pattern)?.push(record);
      return;
    }
    this.#started.add(route.pattern);
    this.#waiting.set(route.pattern, [record]);
    const event = record.event && isEventType(record.event) ? record.event : undefined;
    const run = this.#diagnose(route, secret, event).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Ends the diagnoses still running (listen is stopping): they give no verdict. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#running);
  }

  async #diagnose(route: Route, secret: string, event: string | undefined): Promise<void> {
    const { userAgent, timeoutMs, env, record } = this.#options;
    try {
      const [{ runDoctor }, { diagnosisLine }] = await Promise.all([
        import('../doctor/doctor-run.js'),
        import('../doctor/doctor-report.js'),
      ]);
      const signal = this.#stop.signal;
      const report = await runDoctor({ url: route.url.href, secret, event, timeoutMs, userAgent, env, record, signal });
      if (signal.aborted) return;
      const line = diagnosisLine(report);
      this.#verdicts.set(route.pattern, line);
      const waiting = this.#waiting.get(route.pattern) ?? [];
      this.#waiting.delete(route.pattern);
      this.#options.annotate(waiting, line);
      this.#options.onVerdict?.({ route, report, line });
    } catch {
      // The doctor never throws on a receiver's answers; anything else leaves the route undiagnosed.
    } finally {
      this.#waiting.delete(route.pattern);
    }
  }
}
