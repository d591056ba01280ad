/**
 * `register`, `list`, `get`, `update`, `delete`, `test`, `deliveries`: thin commands over the
 * platform API client. Human output by default, the API's own JSON with `--json`.
 */

import { runTestDelivery } from '../api/test-outcome.js';
import { withApi } from '../cli/api-client.js';
import type { CommandContext } from '../cli/context.js';
import type {
  DeleteOptions,
  DeliveriesOptions,
  GetOptions,
  ListOptions,
  RegisterOptions,
  TestOptions,
  UpdateOptions,
} from '../cli/define-api.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { givenSecret } from '../cli/secret-flags.js';
import { resolveSettingWithSource } from '../config/settings.js';
import { newWebhookSecret } from '../core/signature.js';
import { EXIT_FAILED, EXIT_OK } from '../errors.js';
import { palette } from '../format/display.js';
import { Spinner } from '../ui/spinner.js';
import { requireEventType } from './event-arguments.js';
import {
  buildUpdateBody,
  checkUpdateFlags,
  needsCurrentEvents,
  parseEventList,
  removalsNotSubscribed,
  requireEndpointUrl,
} from './webhook-changes.js';
import {
  attemptsTable,
  maskSecretField,
  noteSecretSource,
  printRegistered,
  printTestResult,
  printWebhookDetails,
  webhooksTable,
} from './webhook-output.js';

export async function registerCommand(ctx: CommandContext, flags: RegisterOptions): Promise<number> {
  const url = requireEndpointUrl(flags.url);
  const events = parseEventList(flags.events);
  const configured = resolveSettingWithSource('secret', await givenSecret(ctx, flags), ctx);
  const given = configured?.value;
  noteSecretSource(ctx, configured);
  // A webhook always gets a secret; when none is given, one is made here and shown once.
  const secret = given ?? newWebhookSecret();
  const { raw, value } = await withApi(ctx, flags, (api) =>
    api.registerWebhook({ url, events, secret, active: !flags.inactive }),
  );
  const showSecret = Boolean(flags.showSecret) || given === undefined;
  if (ctx.json) return (printJson(ctx, showSecret ? raw : maskSecretField(raw)), EXIT_OK);
  printRegistered(ctx, value, { value: secret, generated: given === undefined, show: Boolean(flags.showSecret) });
  return EXIT_OK;
}

export async function listCommand(ctx: CommandContext, flags: ListOptions): Promise<number> {
  const { raw, value, more } = await withApi(ctx, flags, (api) => api.listWebhooks({ limit: flags.limit }));
  if (more) logLine(ctx, `showing the first ${flags.limit}; the API has more — raise --limit to see them`);
  if (ctx.json) return (printJson(ctx, raw), EXIT_OK);
  if (value.length === 0) {
    printLine(ctx, 'no webhooks — register one with `webhooks-cli register --url … --events …`');
    return EXIT_OK;
  }
  const c = palette(ctx.color);
  printLine(ctx, webhooksTable(value));
  const disabled = value.filter((w) => w.disabledReason);
  if (disabled.length)
    logLine(ctx, c.yellow(`${disabled.length} disabled by the platform — \`webhooks-cli get <id>\` says why`));
  return EXIT_OK;
}

export async function getCommand(ctx: CommandContext, id: string, flags: GetOptions): Promise<number> {
  const { raw, value } = await withApi(ctx, flags, (api) => api.getWebhook(id));
  if (ctx.json) return (printJson(ctx, raw), EXIT_OK);
  printWebhookDetails(ctx, value);
  return EXIT_OK;
}

export async function updateCommand(ctx: CommandContext, id: string, given: UpdateOptions): Promise<number> {
  const flags = { ...given, secret: await givenSecret(ctx, given) };
  checkUpdateFlags(flags);
  const { raw, value } = await withApi(ctx, flags, async (api) => {
    if (!needsCurrentEvents(flags)) return api.updateWebhook(id, buildUpdateBody(flags));
    // Read, change, write — guarded by the webhook's ETag, so concurrent updates all land.
    const updated = await api.modifyWebhook(id, (current) => buildUpdateBody(flags, current.events));
    const notSubscribed = removalsNotSubscribed(flags, updated.before.events);
    if (notSubscribed.length)
      logLine(ctx, `warning: ${id} is not subscribed to ${notSubscribed.join(', ')} — nothing to remove there`);
    return updated;
  });
  if (ctx.json) return (printJson(ctx, raw), EXIT_OK);
  printLine(ctx, `updated ${value.id}`);
  printWebhookDetails(ctx, value, { omit: ['id'] });
  return EXIT_OK;
}

export async function deleteCommand(ctx: CommandContext, id: string, flags: DeleteOptions): Promise<number> {
  await withApi(ctx, flags, (api) => api.deleteWebhook(id));
  if (ctx.json) printJson(ctx, { id, deleted: true });
  else printLine(ctx, `deleted ${id}`);
  return EXIT_OK;
}

export async function testCommand(ctx: CommandContext, id: string, flags: TestOptions): Promise<number> {
  requireEventType(flags.event);
  const spinner = (deliveryId: string | undefined) => {
    const shown = new Spinner(ctx.stderr, `waiting for test delivery ${deliveryId ?? ''} to finish`);
    return () => shown.stop();
  };
  const { raw, outcome } = await withApi(ctx, flags, (api) =>
    runTestDelivery(api, id, flags.event, { waitMs: flags.wait, whileWaiting: ctx.interactive ? spinner : undefined }),
  );
  if (ctx.json) printJson(ctx, raw);
  else
    printTestResult(ctx, { id, event: flags.event, outcome, waitedMs: flags.wait === false ? undefined : flags.wait });
  return outcome.state === 'succeeded' || (flags.wait === false && outcome.state === 'unfinished')
    ? EXIT_OK
    : EXIT_FAILED;
}

export async function deliveriesCommand(ctx: CommandContext, id: string, flags: DeliveriesOptions): Promise<number> {
  const { raw, value, more } = await withApi(ctx, flags, (api) =>
    api.listDeliveries(id, { status: flags.status, limit: flags.limit }),
  );
  if (more) logLine(ctx, `showing the newest ${flags.limit}; the API has more — raise --limit to see them`);
  if (ctx.json) return (printJson(ctx, raw), EXIT_OK);
  if (value.length === 0) {
    printLine(
      ctx,
      `no deliveries for ${id}${flags.status ? ` with status ${flags.status}` : ''} — \`webhooks-cli test ${id}\` sends one`,
    );
    return EXIT_OK;
  }
  printLine(ctx, attemptsTable(value));
  const debug = value.filter((a) => a.request !== undefined || a.response !== undefined);
  if (debug.length)
    logLine(ctx, `${debug.length} attempt(s) carry the full request and response (debug mode): see them with --json`);
  return EXIT_OK;
}
