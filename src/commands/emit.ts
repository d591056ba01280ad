/** `emit <type>`: one event to every active subscriber of the emulator, as the README's curl did. */

import { withApi } from '../cli/api-client.js';
import type { CommandContext } from '../cli/context.js';
import type { EmitOptions } from '../cli/define-api.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { prepareDelivery } from '../delivery/trigger-service.js';
import { EXIT_OK } from '../errors.js';
import { parseOverrideFlags, readDataFlag, requireEventType } from './event-arguments.js';

/** `emit`: the emulator's `POST /api/v1/events` with the sample's data (or `--data`), `--set` applied. */
export async function emitCommand(ctx: CommandContext, type: string, flags: EmitOptions): Promise<number> {
  requireEventType(type);
  const prepared = prepareDelivery(type, {
    overrides: parseOverrideFlags(flags.set),
    data: (await readDataFlag(ctx, flags.data))?.data,
  });
  const { data } = JSON.parse(prepared.body.toString('utf8')) as { data: Record<string, unknown> };
  const raw = (await withApi(ctx, flags, (api) => api.emitEvent(type, data))) as
    | { deliveries?: Array<{ id: string; webhook_id: string }> }
    | undefined;
  if (ctx.json) return (printJson(ctx, raw), EXIT_OK);
  const deliveries = raw?.deliveries ?? [];
  printLine(ctx, `emitted ${type} to ${deliveries.length} webhook(s)`);
  for (const d of deliveries) printLine(ctx, `  ${d.id} → ${d.webhook_id}`);
  if (deliveries.length === 0)
    logLine(ctx, `no active webhook is subscribed to ${type} — \`webhooks-cli register --events ${type} …\` adds one`);
  return EXIT_OK;
}
