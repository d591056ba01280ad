/**
 * `trigger`'s load runs (`--count`, `--rate`, `--duration`): the flags checked and turned into the
 * run's shape, one call to the load service, its report. Loaded only for a load run, so a single
 * `trigger` reads none of it.
 */
import type { CommandContext } from '../cli/context.js';
import type { TriggerOptions } from '../cli/define-foundation.js';
import { noteProxyRoute } from '../cli/output.js';
import { listenForStop, signalExitCode } from '../cli/stop-signal.js';
import { defaultRateConcurrency, plannedTotal } from '../core/load-shape.js';
import { type LoadReport, runLoad } from '../delivery/load-run.js';
import { type FaultChoices, planFor } from '../delivery/trigger-choices.js';
import type { PreparedDelivery } from '../delivery/trigger-service.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { formatLimit } from '../format/display.js';
import { openHistorySpool } from '../store/delivery-spool.js';
import { LiveLine } from '../ui/load-line.js';
import { USER_AGENT } from '../version.js';
import { reportLoadRun } from './trigger-load-output.js';
import { reportInterrupted, summariseFailure } from './trigger-output.js';

/** Requests in flight in a closed-model run when --concurrency is not given. */
const DEFAULT_CONCURRENCY = 10;

export async function sendLoad(
  ctx: CommandContext,
  prepared: PreparedDelivery[],
  options: TriggerOptions & { url: string; secret?: string; extraHeaders: Record<string, string> },
  choices: FaultChoices,
): Promise<number> {
  const { rate, count, duration } = options;
  if (rate !== undefined && count === undefined && duration === undefined)
    throw new UsageError(
      `--rate ${rate} needs an end`,
      'add --duration (e.g. --rate 500 --duration 60s), or --count N to send each event N times at that rate',
    );
  const total = plannedTotal({ perRound: prepared.length, count, rate, durationMs: duration });
  if (total === 0)
    throw new UsageError(
      `--rate ${rate} for ${formatLimit(duration!)} schedules no delivery`,
      'raise --rate or --duration so at least one is due',
    );
  noteProxyRoute(ctx, options.url);
  // Open the history spool before sending, so an unwritable --db is reported up front.
  const spool = openHistorySpool(ctx.dbPath);
  const concurrency =
    options.concurrency ?? (rate === undefined ? DEFAULT_CONCURRENCY : defaultRateConcurrency(rate, options.timeout));
  const plan = await planFor(choices, total);
  const live = ctx.interactive ? new LiveLine(ctx.stderr) : undefined;
  // Ctrl-C stops sending and waits briefly for answers; a second one stops waiting. Either way
  // every request sent is in the spool before the summary.
  const stop = listenForStop(ctx.signals, { again: true });
  let signal: NodeJS.Signals | undefined;
  void stop.received.then((s) => (signal = s));
  let report: LoadReport;
  try {
    report = await runLoad(prepared, {
      url: options.url,
      secret: options.secret,
      timeoutMs: options.timeout,
      userAgent: USER_AGENT,
      extraHeaders: options.extraHeaders,
      env: ctx.env,
      concurrency,
      rate,
      total,
      durationMs: duration,
      plan,
      record: (shared, own) => spool.appendShared(shared, own),
      interruption: { stop: stop.received, now: stop.again },
      onProgress: live && ((figures) => live.draw(figures)),
    });
  } finally {
    live?.clear();
    try {
      await spool.closeAfterWrites();
    } finally {
      stop.dispose();
    }
  }
  // A run cut short is not a success, whatever the requests it made got back.
  const ok = !report.interrupted && report.succeeded === report.sent;
  reportLoadRun(ctx, report, ok, choices);
  if (report.interrupted) {
    reportInterrupted(ctx, report.sent, total);
    return signalExitCode(signal ?? 'SIGINT');
  }
  if (!ok)
    summariseFailure(
      ctx,
      report.failures,
      { unsigned: Boolean(options.unsigned), pretty: Boolean(options.pretty) },
      report.sent,
    );
  return ok ? EXIT_OK : EXIT_FAILED;
}
