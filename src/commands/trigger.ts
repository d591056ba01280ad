import type { CommandContext } from '../cli/context.js';
import { readInput } from '../cli/input.js';
import { formatDuration, logLine, palette, printJson, printLine } from '../cli/output.js';
import { resolveSetting } from '../config/settings.js';
import { EVENT_TYPES } from '../core/events.js';
import { parseOverride, OverrideError } from '../core/payload.js';
import { redactUrl } from '../core/redact.js';
import { envelopeEvent, prepareDelivery, sendDeliveries, summariseLoad, type DeliveryOutcome, type LoadSummary } from '../delivery/trigger-service.js';
import { EXIT_FAILED, EXIT_OK, requireHttpUrl, UsageError } from '../errors.js';
import { SpoolWriter } from '../store/delivery-spool.js';
import { USER_AGENT } from '../version.cjs';
import { requireEventType } from './event-arguments.js';
import { ProgressBar } from '../ui/progress-bar.js';

interface TriggerOptions {
  all?: boolean;
  to: string;
  secret?: string;
  unsigned?: boolean;
  set?: string[];
  data?: string;
  timeout: number;
  count?: number;
  concurrency: number;
}

export async function triggerCommand(ctx: CommandContext, types: string[], options: TriggerOptions): Promise<number> {
  const data = options.data === undefined ? undefined : parseJsonInput(await readInput(options.data, '--data'), options.data);
  // A whole envelope in --data names its own event type; no need to repeat it.
  const fromData = types.length === 0 && !options.all ? envelopeEvent(data) : undefined;
  const eventTypes = options.all ? [...EVENT_TYPES] : fromData ? [fromData] : types;
  if (eventTypes.length === 0) throw new UsageError('no event type given', 'name one or more (webhooks-cli events list), or pass --all');
  eventTypes.forEach(requireEventType);
  const url = requireHttpUrl(options.to, '--to').href;
  const secret = options.unsigned ? undefined : resolveSetting('secret', options.secret);
  if (!options.unsigned && !secret) {
    throw new UsageError('no signing secret', 'pass --secret, set WEBHOOKS_SECRET, run `webhooks-cli config set secret …`, or pass --unsigned');
  }
  const overrides = (options.set ?? []).map((text) => {
    try {
      return parseOverride(text);
    } catch (err) {
      throw err instanceof OverrideError ? new UsageError(err.message, err.hint) : err;
    }
  });
  const prepared = eventTypes.map((type) => prepareDelivery(type, { overrides, data }));

  // Open the history spool before sending, so an unwritable --db is reported up front.
  const spool = new SpoolWriter(ctx.dbPath).open();
  const isLoad = options.count !== undefined;
  const total = prepared.length * (options.count ?? 1);
  const progress = isLoad && ctx.interactive ? new ProgressBar(ctx.stderr, total) : undefined;
  const started = performance.now();
  let outcomes: DeliveryOutcome[];
  try {
    outcomes = await sendDeliveries(prepared, options.count ?? 1, {
      url,
      secret,
      timeoutMs: options.timeout,
      // One at a time unless it is a load run: a simple receiver (one thread, like the platform
      // document's example) then answers each at once, and the history keeps the order sent.
      concurrency: isLoad ? options.concurrency : 1,
      userAgent: USER_AGENT,
      record: (r) => spool.append(r),
      onDelivered: progress ? (o, done) => progress.update(done, !o.ok) : undefined,
    });
  } finally {
    spool.close();
    progress?.finish();
  }
  const seconds = (performance.now() - started) / 1000;
  const allOk = outcomes.every((o) => o.ok);
  if (isLoad) reportLoad(ctx, summariseLoad(outcomes, seconds), allOk);
  else reportDeliveries(ctx, outcomes, allOk);
  if (!allOk) summariseFailure(ctx, outcomes, Boolean(options.unsigned));
  return allOk ? EXIT_OK : EXIT_FAILED;
}

function parseJsonInput(bytes: Buffer, source: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UsageError(`--data ${source} is not valid JSON (${(err as Error).message})`, 'fix the JSON, or use --set path=value on the sample');
  }
}

function reportDeliveries(ctx: CommandContext, outcomes: DeliveryOutcome[], ok: boolean): void {
  if (ctx.json) {
    printJson(ctx, {
      ok,
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

function reportLoad(ctx: CommandContext, s: LoadSummary, ok: boolean): void {
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
      },
    });
    return;
  }
  const statuses = Object.entries(s.statusCounts).map(([k, n]) => `${k}×${n}`).join(' ');
  printLine(ctx, `sent ${s.sent} in ${s.seconds.toFixed(2)} s — ${Math.round(s.ratePerSecond)} req/s`);
  printLine(ctx, `2xx ${s.succeeded}  non-2xx ${s.failedStatus}  errors ${s.errors}  (${statuses})`);
  if (s.latencyMs.count === 0) printLine(ctx, 'latency: no answers');
  else printLine(ctx, `latency p50 ${formatDuration(s.latencyMs.p50)}  p99 ${formatDuration(s.latencyMs.p99)}  max ${formatDuration(s.latencyMs.max)}`);
}

/** One line on stderr naming the commonest cause of failure, with its fix. */
function summariseFailure(ctx: CommandContext, outcomes: DeliveryOutcome[], unsigned: boolean): void {
  const failed = outcomes.filter((o) => !o.ok);
  const first = failed.find((o) => o.error && o.status === undefined) ?? failed[0]!;
  const hint401 = unsigned ? ' — it wants a signature; drop --unsigned' : ' — check that it uses the same secret';
  const why = first.status === undefined ? first.error : `the receiver answered ${first.status}${first.status === 401 ? hint401 : ''}`;
  logLine(ctx, `error: ${failed.length} of ${outcomes.length} deliveries failed: ${why}`);
}
