import type { CommandContext } from '../cli/context.js';
import type { ReplayOptions as ReplayCommandOptions } from '../cli/define-listen.js';
import { readInput } from '../cli/input.js';
import { logLine, noteProxyRoute, printJson, printLine } from '../cli/output.js';
import { givenSecret } from '../cli/secret-flags.js';
import { resolveSetting } from '../config/settings.js';
import { redactUrl } from '../core/redact.js';
import { gatewayNote } from '../delivery/http-sender.js';
import { bodyWithOverrides, checkedBody, editBody } from '../delivery/replay-edit.js';
import { eventOf, replayDelivery, replayTarget } from '../delivery/replay-service.js';
import { EXIT_FAILED, EXIT_OK, requireHttpUrl, UsageError, UserError } from '../errors.js';
import { formatDuration, palette } from '../format/display.js';
import { printable } from '../format/terminal-text.js';
import { type DeliveryRecord, deliveryLabel } from '../store/delivery-record.js';
import { HistoryStore } from '../store/history-store.js';
import { USER_AGENT } from '../version.js';

export async function replayCommand(ctx: CommandContext, ref: string, options: ReplayCommandOptions): Promise<number> {
  const given = await givenSecret(ctx, options, { stdinTakenBy: options.data === '-' ? '--data' : undefined });
  const secret = resolveSetting('secret', given, ctx);
  if (!secret)
    throw new UsageError(
      'no secret to sign the replay with',
      'pass --secret, set WEBHOOKS_SECRET, or run `webhooks-cli config set secret …`',
    );
  if (options.to !== undefined) requireHttpUrl(options.to, '--to');
  if ([options.set?.length, options.data, options.edit].filter(Boolean).length > 1)
    throw new UsageError(
      '--set, --data and --edit each give the replay a new body; pass only one',
      'e.g. replay ID --set data.price=10',
    );
  const store = HistoryStore.open(ctx.dbPath);
  try {
    const original = store.get(ref);
    if (!original)
      throw new UserError(`no delivery "${ref}" in ${ctx.dbPath}`, { hint: 'find its id with webhooks-cli history' });
    const body = await editedBody(ctx, original, options);
    noteProxyRoute(ctx, options.to ?? replayTarget(original));
    const { record, result, ok } = await replayDelivery(original, {
      to: options.to,
      body,
      secret,
      timeoutMs: options.timeout,
      userAgent: USER_AGENT,
      env: ctx.env,
    });
    store.insert(record);
    if (ctx.json) {
      printJson(ctx, replayJson(record, ok));
    } else {
      const c = palette(ctx.color);
      const status =
        result.status === undefined ? c.red('---') : ok ? c.green(String(result.status)) : c.red(String(result.status));
      printLine(
        ctx,
        // The original's delivery id is what its sender chose.
        `${ok ? c.green('✓') : c.red('✗')} ${status}  ${record.event}  ${c.dim(record.deliveryId ?? '')} (replay of ${printable(record.replayOf ?? '')})  → ${redactUrl(record.url)}  ${formatDuration(record.durationMs)}`,
      );
      if (!ok)
        logLine(
          ctx,
          `error: the replay failed: ${result.error ?? `the receiver answered ${result.status}${gatewayNote(result, record.url)}`}`,
        );
    }
    return ok ? EXIT_OK : EXIT_FAILED;
  } finally {
    store.close();
  }
}

/** A replay as `--json` (and the MCP server's `replay_delivery`) gives it. */
export function replayJson(record: DeliveryRecord, ok: boolean) {
  return {
    ok,
    delivery_id: record.deliveryId,
    replay_of: record.replayOf,
    event: record.event,
    url: redactUrl(record.url),
    status: record.status,
    duration_ms: record.durationMs,
    error: record.error,
  };
}

/** The body `--set`, `--data` or `--edit` gives the replay, or undefined for the recorded one. */
async function editedBody(
  ctx: CommandContext,
  original: DeliveryRecord,
  options: ReplayCommandOptions,
): Promise<Buffer | undefined> {
  if (options.set?.length) return bodyWithOverrides(original.requestBody, eventOf(original), options.set);
  if (options.data !== undefined) return checkedBody(await readInput(ctx.stdin, options.data, '--data'), options.data);
  if (options.edit)
    return await editBody(original.requestBody, {
      env: ctx.env,
      interactive: ctx.interactive,
      label: deliveryLabel(original),
      warn: (line) => logLine(ctx, line),
    });
  return undefined;
}
