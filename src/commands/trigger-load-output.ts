/**
 * How a `trigger` load run reports: the summary (sent, outcomes, latency percentiles, answers past
 * the platform's 10 s timeout), the per-second timeline in --json, on a terminal a chart of rate
 * and p99 over the run, and on stderr whether a --rate schedule was kept.
 */
import type { CommandContext } from '../cli/context.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import type { LoadReport } from '../delivery/load-run.js';
import { PLATFORM_TIMEOUT_MS } from '../delivery/load-stats.js';
import type { FaultChoices } from '../delivery/trigger-choices.js';
import { blockRow, fitColumns, largest, mean } from '../format/block-chart.js';
import { formatDuration, formatLimit } from '../format/display.js';
import { choicesJson, reportSeed } from './trigger-output.js';

/** The chart's columns: one per second of the run, or a few seconds each when it ran longer. */
const CHART_WIDTH = 60;

export function reportLoadRun(ctx: CommandContext, r: LoadReport, ok: boolean, choices: FaultChoices): void {
  if (r.schedule && !r.schedule.kept) logLine(ctx, scheduleWarning(r));
  if (ctx.json) {
    printJson(ctx, { ok, ...choicesJson(choices), summary: summaryJson(r) });
    return;
  }
  reportSeed(ctx, choices);
  const statuses = Object.entries(r.statusCounts)
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
  const duplicates = r.duplicates ? ` (${r.duplicates} of them duplicates)` : '';
  const onSchedule = r.schedule?.kept ? ` (on schedule at --rate ${r.schedule.rate})` : '';
  printLine(
    ctx,
    `${r.interrupted ? 'interrupted: ' : ''}sent ${r.sent}${duplicates} in ${r.seconds.toFixed(2)} s — ${Math.round(r.ratePerSecond)} req/s${onSchedule}`,
  );
  printLine(ctx, `2xx ${r.succeeded}  non-2xx ${r.failedStatus}  errors ${r.errors}  (${statuses})`);
  const l = r.latencyMs;
  if (l.count === 0) printLine(ctx, 'latency: no answers');
  else
    printLine(
      ctx,
      `latency p50 ${formatDuration(l.p50)}  p90 ${formatDuration(l.p90)}  p99 ${formatDuration(l.p99)}  max ${formatDuration(l.max)}${r.latencyFrom === 'scheduled' ? '  (from each delivery’s scheduled time)' : ''}`,
    );
  if (r.platformTimeouts > 0)
    printLine(
      ctx,
      `${r.platformTimeouts} ${r.platformTimeouts === 1 ? 'answer' : 'answers'} took longer than the platform's ${formatLimit(PLATFORM_TIMEOUT_MS)} timeout — the platform would retry them`,
    );
  if (ctx.interactive && r.timeline.length >= 2) for (const line of chart(r)) printLine(ctx, line);
}

function summaryJson(r: LoadReport) {
  return {
    sent: r.sent,
    duplicates: r.duplicates,
    succeeded: r.succeeded,
    failed_status: r.failedStatus,
    errors: r.errors,
    platform_timeouts: r.platformTimeouts,
    seconds: r.seconds,
    rate_per_second: r.ratePerSecond,
    concurrency: r.concurrency,
    latency_ms: { ...r.latencyMs, from: r.latencyFrom },
    status_counts: r.statusCounts,
    ...(r.schedule
      ? {
          schedule: {
            rate: r.schedule.rate,
            kept: r.schedule.kept,
            late: r.schedule.late,
            max_behind_ms: r.schedule.maxBehindMs,
            sent_per_second: r.schedule.sentPerSecond,
            limited_by: r.schedule.limitedBy ?? null,
          },
        }
      : {}),
    interrupted: r.interrupted,
    timeline: r.timeline,
  };
}

/** `--rate 500 was not kept: …`, naming how far behind it went and what held it back. */
function scheduleWarning({ schedule: s, sent, concurrency }: LoadReport): string {
  const why =
    s!.limitedBy === 'concurrency'
      ? `all ${concurrency} requests allowed in flight were waiting for answers; raise --concurrency (or the receiver is too slow for this rate)`
      : 'this process could not send faster; lower --rate, or run several senders';
  return `warning: --rate ${s!.rate} was not kept: ${s!.late} of ${sent} deliveries went out late, up to ${formatDuration(s!.maxBehindMs)} behind schedule (${Math.round(s!.sentPerSecond)}/s sent) — ${why}`;
}

/** Rate and p99 a column per second (or per few seconds), in blocks scaled to each row's largest. */
function chart({ timeline }: LoadReport): string[] {
  const rates = fitColumns(
    timeline.map((s) => s.sent),
    CHART_WIDTH,
    mean,
  );
  const p99s = fitColumns(
    timeline.map((s) => s.p99),
    CHART_WIDTH,
    largest,
  );
  const topRate = Math.max(...rates.map((v) => v ?? 0));
  const topP99 = Math.max(...p99s.map((v) => v ?? 0));
  const axis = `0 s${' '.repeat(Math.max(1, rates.length - 3 - `${timeline.length} s`.length))}${timeline.length} s`;
  return [
    '',
    `req/s  ${blockRow(rates)}  up to ${Math.round(topRate)}`,
    `p99    ${blockRow(p99s)}  up to ${formatDuration(topP99)}`,
    `       ${axis}`,
  ];
}
