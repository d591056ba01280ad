/** How `trigger` reports: a line per delivery, or the load run's summary; JSON with `--json`. */
import type { CommandContext } from '../cli/context.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { redactUrl } from '../core/redact.js';
import type { DeliveryOutcome, LoadSummary } from '../delivery/trigger-service.js';
import { formatDuration, palette } from '../format/display.js';

export function reportDeliveries(ctx: CommandContext, outcomes: DeliveryOutcome[], ok: boolean, interrupted = false): void {
  if (ctx.json) {
    printJson(ctx, {
      ok,
      ...(interrupted ? { interrupted } : {}),
      deliveries: outcomes.map((o) => ({
        event: o.event,
        delivery_id: o.deliveryId,
        url: redactUrl(o.url),
        status: o.status ?? null,
        ok: o.ok,
        duration_ms: o.durationMs,
        error: o.error ?? null,
      })),
    });
    return;
  }
  const c = palette(ctx.color);
  const width = Math.max(...outcomes.map((o) => o.event.length));
  for (const o of outcomes) {
    const mark = o.ok ? c.green('✓') : c.red('✗');
    const status = o.status === undefined ? c.red('---') : o.ok ? c.green(String(o.status)) : c.red(String(o.status));
    const tail = o.error && o.status === undefined ? `  ${c.red(o.error)}` : '';
    printLine(ctx, `${mark} ${status}  ${o.event.padEnd(width)}  ${c.dim(o.deliveryId)}  ${formatDuration(o.durationMs)}${tail}`);
  }
}

export function reportLoad(ctx: CommandContext, s: LoadSummary, ok: boolean): void {
  if (ctx.json) {
    printJson(ctx, {
      ok,
      summary: {
        sent: s.sent,
        succeeded: s.succeeded,
        failed_status: s.failedStatus,
        errors: s.errors,
        seconds: s.seconds,
        rate_per_second: s.ratePerSecond,
        latency_ms: s.latencyMs,
        status_counts: s.statusCounts,
        interrupted: s.interrupted,
      },
    });
    return;
  }
  const statuses = Object.entries(s.statusCounts).map(([k, n]) => `${k}×${n}`).join(' ');
  printLine(ctx, `${s.interrupted ? 'interrupted: ' : ''}sent ${s.sent} in ${s.seconds.toFixed(2)} s — ${Math.round(s.ratePerSecond)} req/s`);
  printLine(ctx, `2xx ${s.succeeded}  non-2xx ${s.failedStatus}  errors ${s.errors}  (${statuses})`);
  if (s.latencyMs.count === 0) printLine(ctx, 'latency: no answers');
  else printLine(ctx, `latency p50 ${formatDuration(s.latencyMs.p50)}  p99 ${formatDuration(s.latencyMs.p99)}  max ${formatDuration(s.latencyMs.max)}`);
}

/** One line on stderr naming the commonest cause of failure, with its fix. */
export function summariseFailure(ctx: CommandContext, outcomes: DeliveryOutcome[], unsigned: boolean): void {
  const failed = outcomes.filter((o) => !o.ok);
  const first = failed.find((o) => o.error && o.status === undefined) ?? failed[0]!;
  const hint401 = unsigned ? ' — it wants a signature; drop --unsigned' : ' — check that it uses the same secret';
  const why = first.status === undefined ? first.error : `the receiver answered ${first.status}${first.status === 401 ? hint401 : ''}`;
  logLine(ctx, `error: ${failed.length} of ${outcomes.length} deliveries failed: ${why}`);
}

/** After Ctrl-C: how much of the run went out, and that every request sent is recorded. */
export function reportInterrupted(ctx: CommandContext, sent: number, planned: number): void {
  logLine(ctx, `interrupted: ${sent} of ${planned} sent, each recorded in the history (those without an answer as "interrupted")`);
}
