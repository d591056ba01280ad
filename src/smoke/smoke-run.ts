/**
 * `smoke`'s work, without any printing: sends each planned check's requests to the receiver
 * (`concurrency` checks at a time, each request on its own connection), judges the answers and
 * returns the report. A refused, hanging or crashing receiver fails the checks it affects; the
 * run goes on, unless `bail` or a receiver not answering in time stops it.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl } from '../core/redact.js';
import type { Fixture } from '../delivery/fixtures.js';
import { sendRequest } from '../delivery/http-sender.js';
import { sentRecord } from '../delivery/sent-record.js';
import type { DoctorReport } from '../doctor/doctor-run.js';
import { formatLimit } from '../format/display.js';
import { agentFor, type RoutedAgent } from '../http/node-agent.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { runChecks, type StopReason } from './check-runner.js';
import {
  applyDependency,
  type CheckResult,
  type ExchangeOutcome,
  judgeCheck,
  notRunResult,
  toExchangeOutcome,
} from './check-verdict.js';
import {
  expectedProcessed,
  judgeProcessedCount,
  PROCESSED_COUNT_CHECK,
  readProcessedCount,
} from './processed-count.js';
import { detectPatterns, type ReceiverPattern, signatureChecksFailed, withDiagnosis } from './receiver-patterns.js';
import { unreachableReason } from './receiver-reachability.js';
import { type ProbeRequest, planSmokeChecks, type SmokeCheck } from './smoke-checks.js';

export interface SmokeRunOptions {
  url: string;
  secret: string;
  events: readonly string[];
  /** Captured deliveries to send as extra checks (`--fixtures DIR`). */
  fixtures?: readonly Fixture[];
  timeoutMs: number;
  userAgent: string;
  /** Checks in flight at once (default 4); the requests of one check keep their own order. */
  concurrency?: number;
  /** Stop at the first failed check; the rest are not run. */
  bail?: boolean;
  /** A shell command printing how many deliveries the app has processed (`--processed-count`). */
  processedCount?: string;
  /** Wait up to this long for the receiver to accept connections before the first check. */
  waitMs?: number;
  /** Called with every request sent and its answer (the history). */
  record?: (record: DeliveryRecord) => void;
  onCheckStart?: (check: Pick<SmokeCheck, 'id' | 'group' | 'title'>, index: number, total: number) => void;
  /** Called per check in plan order. */
  onCheckDone?: (result: CheckResult, index: number, total: number) => void;
  /** Checks that decide their own requests as they go (`--fuzz`), run after the planned ones. */
  extraChecks?: readonly ExtraCheck[];
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the requests. */
  env?: NodeJS.ProcessEnv;
  /** false: when signature checks fail, do not run the doctor to find out why. */
  diagnose?: boolean;
  /** Called as the doctor starts, after the checks. */
  onDiagnosing?: () => void;
  /** Ctrl-C: see `SmokeInterruption`. */
  interruption?: SmokeInterruption;
}

/**
 * A run asked to stop (`stop`: the first Ctrl-C or SIGTERM) starts no more checks and gives the
 * requests in flight `graceMs` to be answered; `now` (a second signal) cuts them off at once. The
 * checks that did not finish are reported as not run.
 */
export interface SmokeInterruption {
  stop: Promise<unknown>;
  now?: Promise<unknown>;
  graceMs?: number;
}

/** The reason a check carries when Ctrl-C stopped the run before it finished. */
export const INTERRUPTED_REASON = 'not run: smoke was interrupted before this check finished';

/** A check that sends what it likes through `send` (recorded like every request) and judges itself. */
export interface ExtraCheck {
  id: string;
  group: SmokeCheck['group'];
  title: string;
  /** `interrupted()` turns true on Ctrl-C: the check should end soon, its result is then not used. */
  run: (
    send: (request: ProbeRequest) => Promise<ExchangeOutcome>,
    control?: { interrupted: () => boolean },
  ) => Promise<CheckResult>;
}

export interface SmokeReport {
  /** The receiver's URL, with any password in it masked. */
  url: string;
  events: string[];
  timeoutMs: number;
  startedAt: Date;
  durationMs: number;
  /**
   * False when the receiver never accepted a connection (within `waitMs`, or refused at once
   * without it): then no check ran, and each is failed with `unreachable` as its reason.
   */
  receiverReachable: boolean;
  /** Why no check ran, when the receiver was not reachable. */
  unreachable?: string;
  checks: CheckResult[];
  /** Bugs recognised across checks, each one line with its fix; the doctor's verdict first. */
  patterns: ReceiverPattern[];
  /** The doctor's diagnosis, run when signature checks failed. */
  diagnosis?: DoctorReport;
  /** Why the run stopped before the end, if it did (`interrupted`: Ctrl-C or SIGTERM). */
  stopped?: StopReason;
  passed: number;
  failed: number;
  /** Passed checks that carry a warning. */
  warned: number;
  notRun: number;
  ok: boolean;
}

/** Time-outs in a row after which the receiver is taken to be not answering in time. */
export const MAX_CONSECUTIVE_TIMEOUTS = 3;
export const DEFAULT_CONCURRENCY = 4;
// An app that processes after answering (as the document advises) may count a moment late.
const COUNT_SETTLE_MS = 5_000;
const COUNT_POLL_MS = 250;

export async function runSmoke(options: SmokeRunOptions): Promise<SmokeReport> {
  const cutOff = new AbortController();
  let interrupted = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const { interruption } = options;
  const stopRequested = interruption
    ? interruption.stop.then(() => {
        interrupted = true;
        graceTimer = setTimeout(() => cutOff.abort(), interruption.graceMs ?? 2_000);
      })
    : new Promise<void>(() => {});
  void interruption?.now?.then(() => cutOff.abort());
  try {
    return await smokeRun(options, { signal: cutOff.signal, interrupted: () => interrupted, stopRequested });
  } finally {
    clearTimeout(graceTimer);
  }
}

const STOPPED_FIRST: unique symbol = Symbol('stopped before the first check');

interface RunControl {
  /** Aborts the requests in flight (the grace after Ctrl-C is over). */
  signal: AbortSignal;
  interrupted: () => boolean;
  /** Resolves when a stop is asked for (never, without an interruption). */
  stopRequested: Promise<void>;
}

async function smokeRun(options: SmokeRunOptions, control: RunControl): Promise<SmokeReport> {
  const startedAt = new Date();
  const started = performance.now();
  const checks = planSmokeChecks({
    events: options.events,
    secret: options.secret,
    userAgent: options.userAgent,
    now: startedAt,
    fixtures: options.fixtures,
  });
  const report = (results: CheckResult[], extra: Partial<SmokeReport>): SmokeReport => {
    const notRun = results.filter((r) => r.notRun).length;
    const passed = results.filter((r) => r.passed).length;
    return {
      url: redactUrl(options.url),
      events: [...options.events],
      timeoutMs: options.timeoutMs,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      receiverReachable: true,
      checks: results,
      patterns: [],
      passed,
      failed: results.length - passed - notRun,
      warned: results.filter((r) => r.passed && r.warnings.length > 0).length,
      notRun,
      ok: passed === results.length,
      ...extra,
    };
  };
  const unreachable = await Promise.race([
    unreachableReason(options),
    control.stopRequested.then((): typeof STOPPED_FIRST => STOPPED_FIRST),
  ]);
  if (unreachable === STOPPED_FIRST) {
    // Stopped while waiting for the receiver (--wait): nothing was sent.
    const results = checks.map((check) => notRunResult(check, INTERRUPTED_REASON));
    return report(results, { stopped: 'interrupted' });
  }
  if (unreachable) {
    // Nothing to judge: every check fails with the one reason, rather than the same refusal 21 times.
    const results = checks.map(
      (check): CheckResult => ({
        id: check.id,
        group: check.group,
        title: check.title,
        expect: check.expect,
        dependsOn: check.dependsOn,
        passed: false,
        reason: unreachable,
        warnings: [],
        notRun: false,
        latencyMs: 0,
        exchanges: [],
      }),
    );
    return report(results, { receiverReachable: false, unreachable });
  }
  const countBefore =
    options.processedCount === undefined ? undefined : await readProcessedCount(options.processedCount);
  const send = { ...options, signal: control.signal };
  // A fresh connection per request: a kept-alive socket the receiver closes between checks
  // would show up as a spurious reset, and the platform does not reuse connections either.
  const agent = await agentFor(options.url, options.env ?? {}, { keepAlive: false });
  const extras = options.extraChecks ?? [];
  const total = checks.length + (countBefore === undefined ? 0 : 1) + extras.length;
  const notRunReason = (stop: StopReason) =>
    stop === 'interrupted'
      ? INTERRUPTED_REASON
      : stop === 'bail'
        ? 'not run: smoke stopped at the first failure (--bail)'
        : `not run: the receiver is not answering in time — ${MAX_CONSECUTIVE_TIMEOUTS} checks in a row got no answer within ${formatLimit(options.timeoutMs)}, so smoke stopped`;
  let outcome;
  try {
    outcome = await runChecks(checks, {
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      bail: options.bail ?? false,
      maxConsecutiveTimeouts: MAX_CONSECUTIVE_TIMEOUTS,
      interrupted: control.interrupted,
      notRunReason,
      runCheck: async (check, baseline) => {
        const startedAt = new Date();
        const exchanges = await sendCheck(check, agent, send);
        if (exchanges.some((e) => e.errorCode === 'interrupted')) return notRunResult(check, INTERRUPTED_REASON);
        const earlier = await baseline();
        const judged = judgeCheck(check, exchanges, { baseline: earlier, timeoutMs: options.timeoutMs });
        return { ...applyDependency(judged, earlier ? [earlier] : []), startedAt };
      },
      onCheckStart: (check, index) => options.onCheckStart?.(check, index, total),
      onCheckDone: (result, index) => options.onCheckDone?.(result, index, total),
    });
  } finally {
    agent.agent.destroy();
  }
  const results = outcome.results;
  if (outcome.stopped === 'interrupted' || control.interrupted()) {
    // What was never started, or not counted, is not run; the report is what finished.
    const skipped = [...(countBefore === undefined ? [] : [PROCESSED_COUNT_CHECK]), ...extras];
    for (const check of skipped) {
      results.push(notRunCheck(check, INTERRUPTED_REASON));
      options.onCheckDone?.(results[results.length - 1]!, results.length - 1, total);
    }
    return report(results, { patterns: detectPatterns(results), stopped: 'interrupted' });
  }
  if (countBefore !== undefined) {
    const expected = expectedProcessed(results);
    const countAfter = await settledCount(options.processedCount!, countBefore + expected.expected);
    const counted = judgeProcessedCount(countBefore, countAfter, expected);
    results.push(counted);
    options.onCheckDone?.(counted, results.length - 1, total);
  }
  // After the count, so the processed-count check knows exactly what the planned checks sent.
  if (!outcome.stopped) {
    const extraAgent = await agentFor(options.url, options.env ?? {}, { keepAlive: false });
    try {
      for (const extra of extras) {
        options.onCheckStart?.(extra, results.length, total);
        const result = control.interrupted()
          ? undefined
          : await extra.run((request) => exchange(request, extraAgent, send), { interrupted: control.interrupted });
        // Stopped while it ran: what it found so far is not a verdict.
        results.push(result && !control.interrupted() ? result : notRunCheck(extra, INTERRUPTED_REASON));
        options.onCheckDone?.(results[results.length - 1]!, results.length - 1, total);
      }
    } finally {
      extraAgent.agent.destroy();
    }
  }
  if (control.interrupted()) return report(results, { patterns: detectPatterns(results), stopped: 'interrupted' });
  const patterns = detectPatterns(
    results,
    outcome.stopped,
    outcome.stopped && notRunReason(outcome.stopped).replace(/^not run: /, ''),
  );
  const diagnosis =
    options.diagnose !== false && outcome.stopped !== 'timeouts' && signatureChecksFailed(results)
      ? await diagnoseReceiver(options)
      : undefined;
  return report(results, { patterns: withDiagnosis(patterns, diagnosis), stopped: outcome.stopped, diagnosis });
}

/** The doctor on the first event type, its requests recorded like smoke's. */
async function diagnoseReceiver(options: SmokeRunOptions): Promise<DoctorReport> {
  options.onDiagnosing?.();
  const { runDoctor } = await import('../doctor/doctor-run.js');
  return runDoctor({
    url: options.url,
    secret: options.secret,
    event: options.events[0],
    timeoutMs: options.timeoutMs,
    userAgent: options.userAgent,
    record: options.record,
    env: options.env,
  });
}

/** Reads the count until it reaches `atLeast` or stops changing for the settle time. */
async function settledCount(command: string, atLeast: number): Promise<number> {
  const deadline = performance.now() + COUNT_SETTLE_MS;
  let count = await readProcessedCount(command);
  while (count < atLeast && performance.now() < deadline) {
    await sleep(COUNT_POLL_MS);
    count = await readProcessedCount(command);
  }
  return count;
}

type SendOptions = SmokeRunOptions & { signal?: AbortSignal };

async function sendCheck(check: SmokeCheck, agent: RoutedAgent, options: SendOptions): Promise<ExchangeOutcome[]> {
  if (check.send === 'together') return Promise.all(check.requests.map((request) => exchange(request, agent, options)));
  const exchanges: ExchangeOutcome[] = [];
  for (const request of check.requests) exchanges.push(await exchange(request, agent, options));
  return exchanges;
}

async function exchange(
  request: ProbeRequest,
  { agent, proxy }: RoutedAgent,
  options: SendOptions,
): Promise<ExchangeOutcome> {
  const createdAt = Date.now();
  const result = await sendRequest({
    url: options.url,
    headers: request.headers,
    body: request.body,
    timeoutMs: options.timeoutMs,
    agent,
    proxy,
    signal: options.signal,
  });
  if (!request.keepOutOfHistory)
    options.record?.(
      sentRecord(
        {
          source: 'smoke',
          createdAt,
          event: request.event,
          deliveryId: request.deliveryId,
          url: options.url,
          headers: request.headers,
          body: request.body,
        },
        result,
      ),
    );
  return toExchangeOutcome(request, result);
}

/** A check that did not run, known by its name alone (the count, an extra check). */
function notRunCheck(
  check: Pick<CheckResult, 'id' | 'group' | 'title'> & { expect?: CheckResult['expect'] },
  reason: string,
): CheckResult {
  return { expect: '2xx', ...check, passed: false, reason, warnings: [], notRun: true, latencyMs: 0, exchanges: [] };
}
