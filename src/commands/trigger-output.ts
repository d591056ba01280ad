/** How `trigger` reports: a line (or JSON object) per request, or a load run's summary, and the seed of a run with faults. */
import type { CommandContext } from '../cli/context.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { formatDelayRange } from '../core/fault-values.js';
import { redactUrl } from '../core/redact.js';
import { gatewayNote } from '../delivery/http-sender.js';
import type { FaultChoices } from '../delivery/trigger-choices.js';
import type { DeliveryOutcome, LoadSummary } from '../delivery/trigger-service.js';
import { formatDuration, palette } from '../format/display.js';
import { printable } from '../format/terminal-text.js';

export function reportDeliveries(
  ctx: CommandContext,
  outcomes: DeliveryOutcome[],
  ok: boolean,
  choices: FaultChoices,
  interrupted = false,
): void {
  if (ctx.json) {
    printJson(ctx, {
      ok,
      ...(interrupted ? { interrupted } : {}),
      ...choicesJson(choices),
      deliveries: outcomes.map((o) => ({
        order: o.order,
        event: o.event,
        delivery_id: o.deliveryId,
        duplicate: o.duplicate,
        ...(o.step === undefined ? {} : { step: o.step }),
        delay_ms: o.delayMs,
        url: redactUrl(o.url),
        status: o.status ?? null,
        ok: o.ok,
        duration_ms: o.durationMs,
        error: o.error ?? null,
      })),
    });
    return;
  }
  reportSeed(ctx, choices);
  const c = palette(ctx.color);
  const width = Math.max(...outcomes.map((o) => o.event.length));
  const orderWidth = String(outcomes.length).length + 1;
  for (const o of outcomes) {
    const mark = o.ok ? c.green('✓') : c.red('✗');
    const status = o.status === undefined ? c.red('---') : o.ok ? c.green(String(o.status)) : c.red(String(o.status));
    const relay = relayError(o);
    const tail =
      o.error && o.status === undefined ? `  ${c.red(o.error)}` : relay ? `  ${c.red(`relay: ${relay}`)}` : '';
    // With faults or a scenario, the order sent and what was done to each request matter.
    const order = choices.seed !== undefined ? `${`#${o.order}`.padEnd(orderWidth)} ` : '';
    const notes = [
      o.step === undefined ? '' : `step ${o.step}`,
      o.delayMs > 0 ? `after ${o.delayMs} ms` : '',
      o.duplicate ? c.yellow('duplicate') : '',
    ]
      .filter(Boolean)
      .join(', ');
    printLine(
      ctx,
      `${order}${mark} ${status}  ${o.event.padEnd(width)}  ${c.dim(o.deliveryId)}  ${formatDuration(o.durationMs)}${notes ? `  ${notes}` : ''}${tail}`,
    );
  }
}

export function reportLoad(ctx: CommandContext, s: LoadSummary, ok: boolean, choices: FaultChoices): void {
  if (ctx.json) {
    printJson(ctx, {
      ok,
      ...choicesJson(choices),
      summary: {
        sent: s.sent,
        duplicates: s.duplicates,
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
  reportSeed(ctx, choices);
  const statuses = Object.entries(s.statusCounts)
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
  const duplicates = s.duplicates ? ` (${s.duplicates} of them duplicates)` : '';
  printLine(
    ctx,
    `${s.interrupted ? 'interrupted: ' : ''}sent ${s.sent}${duplicates} in ${s.seconds.toFixed(2)} s — ${Math.round(s.ratePerSecond)} req/s`,
  );
  printLine(ctx, `2xx ${s.succeeded}  non-2xx ${s.failedStatus}  errors ${s.errors}  (${statuses})`);
  if (s.latencyMs.count === 0) printLine(ctx, 'latency: no answers');
  else
    printLine(
      ctx,
      `latency p50 ${formatDuration(s.latencyMs.p50)}  p99 ${formatDuration(s.latencyMs.p99)}  max ${formatDuration(s.latencyMs.max)}`,
    );
}

/**
 * One line on stderr naming the cause most failures share, with its fix (213 refused and 4 resets
 * name the refusals), and how many failed some other way.
 */
export function summariseFailure(ctx: CommandContext, outcomes: DeliveryOutcome[], unsigned: boolean): void {
  const failed = outcomes.filter((o) => !o.ok);
  const groups = new Map<string, { why: string; count: number }>();
  for (const o of failed) {
    const cause = failureCause(o, unsigned);
    const group = groups.get(cause.key) ?? { why: cause.why, count: 0 };
    group.count++;
    groups.set(cause.key, group);
  }
  const [top, ...others] = [...groups.values()].sort((a, b) => b.count - a.count);
  const share = others.length ? ` (${top!.count} of them)` : '';
  const rest = others.length ? `; ${failed.length - top!.count} failed otherwise` : '';
  logLine(ctx, `error: ${failed.length} of ${outcomes.length} deliveries failed${share}: ${top!.why}${rest}`);
}

function failureCause(o: DeliveryOutcome, unsigned: boolean): { key: string; why: string } {
  if (o.status === undefined) return { key: `error:${o.errorCode ?? 'other'}`, why: o.error ?? 'no answer' };
  const relay = relayError(o);
  if (relay) return { key: `relay:${o.status}`, why: `the relay answered ${o.status}: ${relay}` };
  const hint401 = unsigned ? ' — it wants a signature; drop --unsigned' : ' — check that it uses the same secret';
  return {
    key: `status:${o.status}`,
    why: `the receiver answered ${o.status}${o.status === 401 ? hint401 : gatewayNote(o, o.url)}`,
  };
}

/**
 * What a relay said when it answered itself (X-Relay-Error), rather than the listener behind it;
 * `printable`, since whoever answered chose the words.
 */
function relayError(o: DeliveryOutcome): string | undefined {
  const code = o.headers?.['x-relay-error'];
  if (!code) return undefined;
  try {
    const message = (JSON.parse(o.body?.toString('utf8') ?? '') as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string' && message) return printable(message);
  } catch {
    // Not the relay's JSON: the code says enough.
  }
  return printable(String(code));
}

/** After Ctrl-C: how much of the run went out, and that every request sent is recorded. */
export function reportInterrupted(ctx: CommandContext, sent: number, planned: number): void {
  logLine(
    ctx,
    `interrupted: ${sent} of ${planned} sent, each recorded in the history (those without an answer as "interrupted")`,
  );
}

/** The seed on stderr, so any run can be repeated (in --json it is in the output). */
function reportSeed(ctx: CommandContext, choices: FaultChoices): void {
  if (choices.seed === undefined) return;
  const f = choices.faults;
  const faults = [
    choices.scenario ? `scenario ${choices.scenario}` : '',
    f.duplicates ? `duplicates ${f.duplicates}${f.concurrentDuplicates ? ' (concurrent)' : ''}` : '',
    f.shuffle ? 'shuffled' : '',
    f.jitter ? `jitter ${formatDelayRange(f.jitter)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  logLine(
    ctx,
    `seed ${choices.seed}${faults ? ` (${faults})` : ''} — pass --seed ${choices.seed} to repeat these choices`,
  );
}

function choicesJson(choices: FaultChoices) {
  if (!choices) return {};
  const f = choices.faults;
  return {
    seed: choices.seed,
    ...(choices.scenario ? { scenario: choices.scenario } : {}),
    faults: {
      duplicates: f.duplicates ?? 0,
      concurrent_duplicates: Boolean(f.concurrentDuplicates),
      shuffle: Boolean(f.shuffle),
      jitter_ms: f.jitter ? { min: f.jitter.minMs, max: f.jitter.maxMs } : null,
    },
  };
}
