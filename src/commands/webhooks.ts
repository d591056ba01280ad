/**
 * `register`, `list`, `get`, `update`, `delete`, `test`, `deliveries`: thin commands over the
 * platform API client. Human output by default, the API's own JSON with `--json`.
 */
import type { CommandContext } from '../cli/context.js';
import { formatDuration, formatTable, logLine, palette, printJson, printLine } from '../cli/output.js';
import { PlatformClient } from '../api/platform-client.js';
import type { WebhookView } from '../api/api-types.js';
import { buildUpdateBody, checkUpdateFlags, needsCurrentEvents, parseEventList, removalsNotSubscribed, requireEndpointUrl, type UpdateFlags } from '../api/webhook-changes.js';
import { resolveSettingWithSource } from '../config/settings.js';
import { EVENT_TYPES } from '../core/events.js';
import { maskSecret, redactUrl } from '../core/redact.js';
import { newWebhookSecret } from '../core/signature.js';
import { EXIT_FAILED, EXIT_OK } from '../errors.js';
import { requireEventType } from './event-arguments.js';

interface ApiFlags {
  timeout: number;
}

function client(ctx: CommandContext, flags: ApiFlags): PlatformClient {
  return new PlatformClient({ baseUrl: ctx.apiUrl, token: ctx.token, timeoutMs: flags.timeout });
}

async function withApi<T>(ctx: CommandContext, flags: ApiFlags, work: (api: PlatformClient) => Promise<T>): Promise<T> {
  const api = client(ctx, flags);
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}

interface RegisterFlags extends ApiFlags {
  url: string;
  events: string[];
  secret?: string;
  inactive?: boolean;
  showSecret?: boolean;
}

export async function registerCommand(ctx: CommandContext, flags: RegisterFlags): Promise<number> {
  const url = requireEndpointUrl(flags.url);
  const events = parseEventList(flags.events);
  const configured = resolveSettingWithSource('secret', flags.secret);
  const given = configured?.value;
  if (configured?.source === 'env') logLine(ctx, `signing with the secret from WEBHOOKS_SECRET (pass --secret to use another)`);
  if (configured?.source === 'config') logLine(ctx, `signing with the secret stored by \`config set secret\` (pass --secret to use another)`);
  // A webhook always gets a secret; when none is given, one is made here and shown once.
  const secret = given ?? newWebhookSecret();
  const { raw, value } = await withApi(ctx, flags, (api) => api.registerWebhook({ url, events, secret, active: !flags.inactive }));
  const showSecret = Boolean(flags.showSecret) || given === undefined;
  if (ctx.json) return printJson(ctx, showSecret ? raw : maskSecretField(raw)), EXIT_OK;
  printLine(ctx, `registered ${value.id} → ${redactUrl(value.url)}`);
  printWebhookDetails(ctx, value, { omit: ['id', 'url', 'secret'] });
  if (given === undefined) {
    printLine(ctx, `secret    ${secret}`);
    logLine(ctx, `note: the secret above was generated for this webhook and is not shown again; store it, or set your own with \`webhooks-cli update ${value.id} --secret …\``);
  } else {
    printLine(ctx, `secret    ${flags.showSecret ? secret : maskSecret(secret)}`);
  }
  return EXIT_OK;
}

export async function listCommand(ctx: CommandContext, flags: ApiFlags): Promise<number> {
  const { raw, value } = await withApi(ctx, flags, (api) => api.listWebhooks());
  if (ctx.json) return printJson(ctx, raw), EXIT_OK;
  if (value.length === 0) {
    printLine(ctx, 'no webhooks — register one with `webhooks-cli register --url … --events …`');
    return EXIT_OK;
  }
  const c = palette(ctx.color);
  printLine(ctx, formatTable(
    ['ID', 'STATE', 'DEBUG', 'EVENTS', 'URL'],
    value.map((w) => [w.id, stateOf(w), w.debugMode ? 'on' : 'off', eventsSummary(w.events), redactUrl(w.url)]),
  ));
  const disabled = value.filter((w) => w.disabledReason);
  if (disabled.length) logLine(ctx, c.yellow(`${disabled.length} disabled by the platform — \`webhooks-cli get <id>\` says why`));
  return EXIT_OK;
}

export async function getCommand(ctx: CommandContext, id: string, flags: ApiFlags): Promise<number> {
  const { raw, value } = await withApi(ctx, flags, (api) => api.getWebhook(id));
  if (ctx.json) return printJson(ctx, raw), EXIT_OK;
  printWebhookDetails(ctx, value);
  return EXIT_OK;
}

export async function updateCommand(ctx: CommandContext, id: string, flags: UpdateFlags & ApiFlags): Promise<number> {
  checkUpdateFlags(flags);
  const { raw, value } = await withApi(ctx, flags, async (api) => {
    const current = needsCurrentEvents(flags) ? (await api.getWebhook(id)).value.events : undefined;
    const notSubscribed = current ? removalsNotSubscribed(flags, current) : [];
    if (notSubscribed.length) logLine(ctx, `warning: ${id} is not subscribed to ${notSubscribed.join(', ')} — nothing to remove there`);
    return api.updateWebhook(id, buildUpdateBody(flags, current));
  });
  if (ctx.json) return printJson(ctx, raw), EXIT_OK;
  printLine(ctx, `updated ${value.id}`);
  printWebhookDetails(ctx, value, { omit: ['id'] });
  return EXIT_OK;
}

export async function deleteCommand(ctx: CommandContext, id: string, flags: ApiFlags): Promise<number> {
  await withApi(ctx, flags, (api) => api.deleteWebhook(id));
  if (ctx.json) printJson(ctx, { id, deleted: true });
  else printLine(ctx, `deleted ${id}`);
  return EXIT_OK;
}

export async function testCommand(ctx: CommandContext, id: string, flags: ApiFlags & { event: string }): Promise<number> {
  requireEventType(flags.event);
  const { raw, value } = await withApi(ctx, flags, (api) => api.testWebhook(id, flags.event));
  const attempt = (value.attempt ?? null) as Record<string, unknown> | null;
  const ok = attempt?.status === 'succeeded' || value.status === 'succeeded';
  if (ctx.json) {
    printJson(ctx, raw);
  } else {
    const c = palette(ctx.color);
    const status = typeof attempt?.response_status === 'number' ? String(attempt.response_status) : '---';
    const duration = typeof attempt?.duration_ms === 'number' ? formatDuration(attempt.duration_ms) : '';
    const mark = ok ? c.green('✓') : c.red('✗');
    printLine(ctx, `${mark} ${status}  ${flags.event}  ${c.dim(String(value.delivery_id ?? ''))}  ${duration}`.trimEnd());
    if (!attempt) logLine(ctx, 'the first attempt has not finished yet — `webhooks-cli deliveries ' + id + '` shows it when it has');
    else if (!ok) logLine(ctx, `error: the test delivery failed: ${String(attempt.error ?? `answered ${status}`)}${attempt.next_attempt_at ? ` — retrying at ${String(attempt.next_attempt_at)}` : ''}`);
  }
  return ok ? EXIT_OK : EXIT_FAILED;
}

export async function deliveriesCommand(ctx: CommandContext, id: string, flags: ApiFlags & { status?: string; limit: number }): Promise<number> {
  const { raw, value } = await withApi(ctx, flags, (api) => api.listDeliveries(id, { status: flags.status, limit: flags.limit }));
  if (ctx.json) return printJson(ctx, raw), EXIT_OK;
  if (value.length === 0) {
    printLine(ctx, `no deliveries for ${id}${flags.status ? ` with status ${flags.status}` : ''} — \`webhooks-cli test ${id}\` sends one`);
    return EXIT_OK;
  }
  printLine(ctx, formatTable(
    ['TIME', 'DELIVERY', 'EVENT', '#', 'RESULT', 'HTTP', 'DURATION', 'ERROR'],
    value.map((a) => [a.timestamp ?? '-', a.deliveryId, a.event, a.attempt === undefined ? '-' : String(a.attempt), a.status, a.responseStatus === null ? '-' : String(a.responseStatus), formatDuration(a.durationMs), a.error ?? '']),
  ));
  const debug = value.filter((a) => a.request !== undefined || a.response !== undefined);
  if (debug.length) logLine(ctx, `${debug.length} attempt(s) carry the full request and response (debug mode): see them with --json`);
  return EXIT_OK;
}

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

function printWebhookDetails(ctx: CommandContext, w: WebhookView, { omit = [] }: { omit?: string[] } = {}): void {
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
    printLine(ctx, `${key.padEnd(9)} ${value}`);
  }
}

function maskSecretField(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const copy = { ...(raw as Record<string, unknown>) };
  if (typeof copy.secret === 'string') copy.secret = maskSecret(copy.secret);
  return copy;
}
