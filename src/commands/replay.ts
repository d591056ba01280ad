import type { CommandContext } from '../cli/context.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { formatDuration, palette } from '../format/display.js';
import { resolveSetting } from '../config/settings.js';
import { redactUrl } from '../core/redact.js';
import { replayDelivery } from '../delivery/replay-service.js';
import { EXIT_FAILED, EXIT_OK, requireHttpUrl, UsageError, UserError } from '../errors.js';
import { HistoryStore } from '../store/history-store.js';
import { USER_AGENT } from '../version.cjs';

interface ReplayCommandOptions {
  to?: string;
  secret?: string;
  timeout: number;
}

export async function replayCommand(ctx: CommandContext, ref: string, options: ReplayCommandOptions): Promise<number> {
  const secret = resolveSetting('secret', options.secret, ctx.env);
  if (!secret) throw new UsageError('no secret to sign the replay with', 'pass --secret, set WEBHOOKS_SECRET, or run `webhooks-cli config set secret …`');
  if (options.to !== undefined) requireHttpUrl(options.to, '--to');
  const store = HistoryStore.open(ctx.dbPath);
  try {
    const original = store.get(ref);
    if (!original) throw new UserError(`no delivery "${ref}" in ${ctx.dbPath}`, { hint: 'find its id with webhooks-cli history' });
    const { record, result, ok } = await replayDelivery(original, { to: options.to, secret, timeoutMs: options.timeout, userAgent: USER_AGENT });
    store.insert(record);
    if (ctx.json) {
      printJson(ctx, { ok, delivery_id: record.deliveryId, replay_of: record.replayOf, event: record.event, url: redactUrl(record.url), status: record.status, duration_ms: record.durationMs, error: record.error });
    } else {
      const c = palette(ctx.color);
      const status = result.status === undefined ? c.red('---') : ok ? c.green(String(result.status)) : c.red(String(result.status));
      printLine(ctx, `${ok ? c.green('✓') : c.red('✗')} ${status}  ${record.event}  ${c.dim(record.deliveryId ?? '')} (replay of ${record.replayOf})  → ${redactUrl(record.url)}  ${formatDuration(record.durationMs)}`);
      if (!ok) logLine(ctx, `error: the replay failed: ${result.error ?? `the receiver answered ${result.status}`}`);
    }
    return ok ? EXIT_OK : EXIT_FAILED;
  } finally {
    store.close();
  }
}
