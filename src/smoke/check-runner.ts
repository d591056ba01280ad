/**
 * Runs checks `concurrency` at a time, so one slow answer costs its own wait and not everyone's,
 * and stops early when going on would only wait more: at the first failure with `bail`, or after
 * `maxConsecutiveTimeouts` time-outs in a row (a receiver that is not answering in time). Checks
 * never started are marked not run. Results are reported, and returned, in plan order.
 */
import { type CheckResult, notRunResult } from './check-verdict.js';
import type { SmokeCheck } from './smoke-checks.js';

export type StopReason = 'bail' | 'timeouts' | 'interrupted';

export interface RunnerOptions {
  concurrency: number;
  bail: boolean;
  maxConsecutiveTimeouts: number;
  /** True once the run is asked to stop (Ctrl-C): no check starts after that. */
  interrupted?: () => boolean;
  /** Sends one check and judges it; `baseline` resolves to its `dependsOn` result, if any. */
  runCheck: (check: SmokeCheck, baseline: () => Promise<CheckResult | undefined>) => Promise<CheckResult>;
  /** Why a check was not run, for its report. */
  notRunReason: (stop: StopReason) => string;
  onCheckStart?: (check: SmokeCheck, index: number) => void;
  /** Called once per check in plan order, as soon as it and every check before it are done. */
  onCheckDone?: (result: CheckResult, index: number) => void;
}

export interface RunnerOutcome {
  results: CheckResult[];
  stopped?: StopReason;
}

export async function runChecks(checks: readonly SmokeCheck[], options: RunnerOptions): Promise<RunnerOutcome> {
  const results: Array<CheckResult | undefined> = new Array(checks.length);
  const settled = checks.map(() => deferred<CheckResult>());
  const indexOf = new Map(checks.map((c, i) => [c.id, i]));
  let next = 0;
  let released = 0;
  let consecutiveTimeouts = 0;
  let stopped: StopReason | undefined;

  const finish = (index: number, result: CheckResult) => {
    results[index] = result;
    settled[index]!.resolve(result);
    for (; released < checks.length && results[released]; released++)
      options.onCheckDone?.(results[released]!, released);
  };
  const inFlight = new Set<Promise<CheckResult>>();
  const worker = async () => {
    while (next < checks.length && !stopped) {
      if (options.interrupted?.()) {
        stopped = 'interrupted';
        break;
      }
      const index = next++;
      const check = checks[index]!;
      const dependency = check.dependsOn === undefined ? undefined : indexOf.get(check.dependsOn);
      options.onCheckStart?.(check, index);
      const running = options.runCheck(check, async () =>
        dependency === undefined ? undefined : settled[dependency]!.promise,
      );
      inFlight.add(running);
      const result = await running;
      inFlight.delete(running);
      const timedOut = result.exchanges.some((e) => e.errorCode === 'timeout');
      consecutiveTimeouts = timedOut ? consecutiveTimeouts + 1 : 0;
      if (!stopped && options.bail && !result.passed) stopped = 'bail';
      if (!stopped && consecutiveTimeouts >= options.maxConsecutiveTimeouts) stopped = 'timeouts';
      finish(index, result);
      // After a time-out, let the checks started with it end before starting another: against a
      // receiver that answers nothing they time out too, and the run stops one wait sooner.
      if (timedOut && !stopped) await Promise.all(inFlight);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, checks.length)) }, worker));
  // Whatever was never started: a dependant waiting on one of these gets `notRun` as its baseline.
  for (let i = 0; i < checks.length; i++)
    if (!results[i]) finish(i, notRunResult(checks[i]!, options.notRunReason(stopped!)));
  return { results: results as CheckResult[], stopped };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
