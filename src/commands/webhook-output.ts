/**
 * How a webhook from the API reads: its details, a one-word state, a short events column. What the
 * API answered (a URL as registered, a reason, an attempt's error) is shown `printable`.
 */

import type { Attempt, WebhookView } from '../api/api-types.js';
import type { TestOutcome } from '../api/test-outcome.js';
import type { CommandContext } from '../cli/context.js';
import { logLine, printLine } from '../cli/output.js';
import type { SettingSource } from '../config/settings.js';
import { EVENT_TYPES } from '../core/events.js';
import { maskSecret, redactUrl } from '../core/redact.js';
import { formatTable } from '../format/columns.js';
import { formatDuration, palette } from '../format/display.js';
import { printable } from '../format/terminal-text.js';

function stateOf(w: WebhookView): string {
  return w.active ? 'active' : w.disabledReason ? 'disabled' : 'inactive';
}

function isAllEvents(events: readonly string[]): boolean {
  return events.length === EVENT_TYPES.length && EVENT_TYPES.every((e) => events.includes(e));
}

function eventsSummary(events: readonly string[]): string {
  if (isAllEvents(events)) return `all (${events.length})`;
  const text = events.join(',');
  return text.length > 60 ? `${events.length} events` : text;
}

export function printWebhookDetails(
  ctx: CommandContext,
  w: WebhookView,
  { omit = [] }: { omit?: string[] } = {},
): void {
  const rows: Array<[string, string | undefined]> = [
    ['id', w.id],
    ['url', redactUrl(w.url)],
    ['state', stateOf(w)],
    ['reason', w.disabledReason ?? undefined],
    ['events', isAllEvents(w.events) ? `all ${EVENT_TYPES.length} event types` : w.events.join(', ')],
    ['debug', w.debugMode ? 'on' : 'off'],
    ['failures', w.consecutiveFailures === undefined ? undefined : `${w.consecutiveFailures} in a row`],
    ['secret', w.secretHint],
    ['created', w.createdAt],
  ];
  for (const [key, value] of rows) {
    if (value === undefined || omit.includes(key)) continue;
    printLine(ctx, printable(`${key.padEnd(9)} ${value}`));
  }
}

export function maskSecretField(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const copy = { ...(raw as Record<string, unknown>) };
  if (typeof copy.secret === 'string') copy.secret = maskSecret(copy.secret);
  return copy;
}

export function webhooksTable(webhooks: readonly WebhookView[]): string {
  return formatTable(
    ['ID', 'STATE', 'DEBUG', 'EVENTS', 'URL'],
    webhooks.map((w) =>
      [w.id, stateOf(w), w.debugMode ? 'on' : 'off', eventsSummary(w.events), redactUrl(w.url)].map(printable),
    ),
  );
}

export function attemptsTable(attempts: readonly Attempt[]): string {
  return formatTable(
    ['TIME', 'DELIVERY', 'EVENT', '#', 'RESULT', 'HTTP', 'DURATION', 'ERROR'],
    attempts.map((a) =>
      [
        a.timestamp ?? '-',
        a.deliveryId,
        a.event,
        a.attempt === undefined ? '-' : String(a.attempt),
        a.duplicate ? `${a.status} (duplicate)` : a.status,
        a.responseStatus === null ? '-' : String(a.responseStatus),
        formatDuration(a.durationMs),
        a.error ?? '',
      ].map((cell) => printable(String(cell))),
    ),
  );
}

/** `test`'s answer: one line for the attempt, and on stderr why it failed or that it has not finished. */
export function printTestResult(
  ctx: CommandContext,
  t: { id: string; event: string; outcome: TestOutcome; waitedMs?: number },
): void {
  const c = palette(ctx.color);
  const { attempt, state, deliveryId } = t.outcome;
  const status = typeof attempt?.response_status === 'number' ? String(attempt.response_status) : '---';
  const duration = typeof attempt?.duration_ms === 'number' ? formatDuration(attempt.duration_ms) : '';
  const mark = state === 'succeeded' ? c.green('✓') : state === 'failed' ? c.red('✗') : c.yellow('…');
  printLine(ctx, `${mark} ${status}  ${t.event}  ${c.dim(deliveryId ?? '')}  ${duration}`.trimEnd());
  const later = `\`webhooks-cli deliveries ${t.id}\` shows it when it has`;
  if (state === 'unfinished' && t.waitedMs === undefined)
    logLine(ctx, `queued ${deliveryId ?? ''} — not waiting for it (--no-wait); ${later}`);
  else if (state === 'unfinished')
    logLine(
      ctx,
      `error: the test delivery is still ${t.outcome.lastStatus ?? 'unfinished'} after ${Math.round((t.waitedMs ?? 0) / 100) / 10} s — nothing failed yet; wait longer with --wait, or ${later}`,
    );
  else if (state === 'failed')
    logLine(
      ctx,
      `error: the test delivery failed: ${printable(String(attempt?.error ?? `answered ${status}`))}${attempt?.next_attempt_at || attempt?.status === 'retrying' ? ` — the platform retries it${attempt?.next_attempt_at ? ` at ${String(attempt.next_attempt_at)}` : ''}` : ''}`,
    );
}

/** `register`'s answer: the webhook, and its secret — whole only when generated here (shown once) or asked for. */
export function printRegistered(
  ctx: CommandContext,
  w: WebhookView,
  secret: { value: string; generated: boolean; show: boolean },
): void {
  printLine(ctx, printable(`registered ${w.id} → ${redactUrl(w.url)}`));
  printWebhookDetails(ctx, w, { omit: ['id', 'url', 'secret'] });
  printLine(ctx, `secret    ${secret.generated || secret.show ? secret.value : maskSecret(secret.value)}`);
  if (secret.generated)
    logLine(
      ctx,
      `note: the secret above was generated for this webhook and is not shown again; store it, or set your own with \`webhooks-cli update ${w.id} --secret …\``,
    );
}

/** Which stored or environment secret `register` signs with, when none was passed (a flag needs no note). */
export function noteSecretSource(ctx: CommandContext, configured: { source: SettingSource } | undefined): void {
  if (configured?.source === 'env')
    logLine(ctx, 'signing with the secret from WEBHOOKS_SECRET (pass --secret to use another)');
  if (configured?.source === 'config' || configured?.source === 'profile')
    logLine(
      ctx,
      `signing with the secret stored by \`config set secret\`${configured.source === 'profile' ? ` in profile ${ctx.env.WEBHOOKS_PROFILE}` : ''} (pass --secret to use another)`,
    );
}
