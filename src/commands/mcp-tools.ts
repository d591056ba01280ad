/**
 * The tools `mcp` serves. Each is what a command does, without the terminal: its arguments are
 * checked as the command checks its flags, then one call into the service the command uses
 * (trigger, the history, replay, the doctor, smoke), and the command's `--json` shape comes back.
 * Safe for an agent to call: targets on this machine only unless the server allows more, the
 * secret never in a result, bodies cut to a stated size.
 */
import { z } from 'zod';
import type { CommandContext } from '../cli/context.js';
import { resolveSetting } from '../config/settings.js';
import { EVENT_CATALOGUE } from '../core/events.js';
import { isLoopbackHost } from '../core/http-url.js';
import { bodyWithOverrides, checkedBody } from '../delivery/replay-edit.js';
import { eventOf, replayDelivery, replayTarget } from '../delivery/replay-service.js';
import { prepareDelivery, refuseSchemaBreaks, sendDeliveries } from '../delivery/trigger-service.js';
import { diagnosisJson, diagnosisLine } from '../doctor/doctor-report.js';
import { runDoctor } from '../doctor/doctor-run.js';
import { requireHttpUrl, UsageError, UserError } from '../errors.js';
import { type ToolDefinition, tool } from '../mcp/mcp-server.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { eventSchema } from '../schemas/event-schemas.js';
import { patternLines, reportJson, totalsLine } from '../smoke/smoke-report.js';
import { runSmoke } from '../smoke/smoke-run.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { openHistorySpool } from '../store/delivery-spool.js';
import { withSearchQuery } from '../store/filter-query.js';
import { HistoryStore } from '../store/history-store.js';
import { USER_AGENT } from '../version.js';
import { parseOverrideFlags, requireEventType } from './event-arguments.js';
import { recordJson, summaryJson } from './history-output.js';
import { replayJson } from './replay.js';
import { outcomeJson } from './trigger-output.js';

/** What every tool shares: the command's context and how the server was started. */
export interface ToolSettings {
  ctx: CommandContext;
  /** `--secret` (else WEBHOOKS_SECRET, else the stored setting), used when a call names none. */
  secretFlag?: string;
  /** `--allow-remote`: targets beyond this machine. */
  allowRemote: boolean;
  timeoutMs: number;
}

/** Bodies in `get_delivery` are cut here unless the call asks for more (up to `MAX_BODY_LIMIT`). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
const MAX_BODY_LIMIT = 1024 * 1024;
const DEFAULT_LIST_LIMIT = 20;

const eventType = z.string().describe('an event type, e.g. catalog.product.created (list_event_types names all 16)');
const targetUrl = z
  .string()
  .describe(
    'the receiver, e.g. http://127.0.0.1:5000/webhook (this machine only, unless the server was started with --allow-remote)',
  );
const secret = z
  .string()
  .min(1)
  .optional()
  .describe("the receiver's signing secret; default: the server's --secret, WEBHOOKS_SECRET or `config set secret`");
const overrides = z
  .array(z.string())
  .optional()
  .describe('payload overrides as trigger --set takes them: path=value, e.g. data.price=10');

export function mcpTools(settings: ToolSettings): ToolDefinition[] {
  const { ctx } = settings;
  const signingSecret = (given: string | undefined) => {
    const value = resolveSetting('secret', given ?? settings.secretFlag, ctx);
    if (!value)
      throw new UsageError(
        'no signing secret',
        'pass `secret`, or start the server with --secret, WEBHOOKS_SECRET or `webhooks-cli config set secret …`',
      );
    return value;
  };
  const target = (value: string) => allowedTarget(value, settings.allowRemote);
  /** Every request a tool sends goes to the history, as the commands' do. */
  const withSpool = async <T>(work: (record: (r: DeliveryRecord) => void) => Promise<T>): Promise<T> => {
    const spool = openHistorySpool(ctx.dbPath);
    try {
      return await work((r) => {
        spool.append(r);
        spool.flush();
      });
    } finally {
      spool.close();
    }
  };
  const withHistory = <T>(work: (store: HistoryStore) => T | Promise<T>, existing = true): Promise<T> => {
    const store = existing ? HistoryStore.openExisting(ctx.dbPath) : HistoryStore.open(ctx.dbPath);
    return Promise.resolve()
      .then(() => work(store))
      .finally(() => store.close());
  };

  return [
    tool({
      name: 'list_event_types',
      title: 'List event types',
      description: "The platform's 16 webhook event types: name, category, what each reports.",
      input: {},
      run: async () => ({
        summary: EVENT_CATALOGUE.map((e) => `${e.type} — ${e.description}`).join('\n'),
        data: { event_types: EVENT_CATALOGUE.map((e) => ({ ...e })) },
      }),
    }),

    tool({
      name: 'get_event_schema',
      title: 'Event schema and sample',
      description:
        "An event type's JSON Schema (draft 2020-12, the whole envelope) and a sample envelope that meets it.",
      input: { type: eventType },
      run: async ({ type }) => {
        requireEventType(type);
        return {
          summary: `${type}: JSON Schema and a sample envelope`,
          data: { type, schema: eventSchema(type), sample: loadSampleEnvelope(type) },
        };
      },
    }),

    tool({
      name: 'trigger_event',
      title: 'Send a signed delivery',
      description:
        'Send signed deliveries of an event type (its sample, with overrides) to a receiver, as `webhooks-cli trigger` does; each is recorded in the history.',
      input: {
        type: eventType,
        url: targetUrl,
        secret,
        set: overrides,
        count: z.number().int().min(1).max(1000).optional().describe('how many deliveries to send (default 1)'),
      },
      run: async (args) => {
        requireEventType(args.type);
        const url = target(args.url);
        const key = signingSecret(args.secret);
        const sets = parseOverrideFlags(args.set);
        const prepared = [prepareDelivery(args.type, { overrides: sets })];
        if (sets.length > 0) await refuseSchemaBreaks(prepared);
        const { outcomes } = await withSpool((record) =>
          sendDeliveries(prepared, args.count ?? 1, {
            url,
            secret: key,
            timeoutMs: settings.timeoutMs,
            concurrency: 1,
            userAgent: USER_AGENT,
            record,
            env: ctx.env,
          }),
        );
        const ok = outcomes.every((o) => o.ok);
        const rejected = outcomes.some((o) => o.status === 401 || o.status === 403);
        const lines = outcomes.map(
          (o) => `${o.ok ? '✓' : '✗'} ${o.event} ${o.deliveryId}: ${o.status ?? o.error ?? 'no answer'}`,
        );
        if (rejected) lines.push('the receiver rejected the signature: diagnose_receiver finds out why');
        return { summary: lines.join('\n'), data: { ok, deliveries: outcomes.map(outcomeJson) } };
      },
    }),

    tool({
      name: 'list_deliveries',
      title: 'List deliveries',
      description:
        'The history (sent and received deliveries), newest first, with `webhooks-cli history` filters. `query` takes the filter language: status:401, status:4xx, event:…, invalid, valid, dup, schema:invalid, in, out, and any text (delivery id, event, URL, body).',
      input: {
        event: eventType.optional(),
        status: z.number().int().min(100).max(599).optional().describe('only this HTTP status'),
        invalid: z.boolean().optional().describe('only requests whose signature failed'),
        schema_invalid: z.boolean().optional().describe("only deliveries that broke their event's schema"),
        direction: z.enum(['in', 'out']).optional().describe('sent (out) or received (in)'),
        query: z.string().optional().describe('the filter language, e.g. "status:4xx event:catalog.product.created"'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(500)
          .optional()
          .describe(`how many, newest first (default ${DEFAULT_LIST_LIMIT})`),
      },
      run: async (args) => {
        if (args.event !== undefined) requireEventType(args.event);
        const filter = withSearchQuery({
          event: args.event,
          status: args.status,
          invalid: args.invalid,
          schemaInvalid: args.schema_invalid,
          direction: args.direction,
          search: args.query,
          limit: args.limit ?? DEFAULT_LIST_LIMIT,
        });
        const rows = await withHistory((store) => store.list(filter));
        const lines = rows.map(
          (r) =>
            `#${r.id} ${r.direction} ${r.event ?? '-'} ${r.deliveryId ?? '-'} ${r.status ?? r.error ?? 'error'}${r.signatureValid === false ? ' signature ✗' : ''}`,
        );
        return {
          summary: rows.length ? lines.join('\n') : `no deliveries match in ${ctx.dbPath}`,
          data: { deliveries: rows.map(summaryJson) },
        };
      },
    }),

    tool({
      name: 'get_delivery',
      title: 'One delivery in full',
      description:
        "One delivery from the history by delivery id or row number: headers, the exact body bytes (base64, and as text), the answer, the signature and schema verdicts, the doctor's diagnosis. Bodies over `max_body_bytes` are cut, with their size stated.",
      input: {
        id: z.string().min(1).describe('a delivery id (dlv_…) or a history row number'),
        max_body_bytes: z
          .number()
          .int()
          .min(1)
          .max(MAX_BODY_LIMIT)
          .optional()
          .describe(`longest body returned (default ${DEFAULT_BODY_LIMIT})`),
      },
      run: async ({ id, max_body_bytes }) => {
        const record = await withHistory((store) => store.get(id));
        if (!record)
          throw new UserError(`no delivery "${id}" in ${ctx.dbPath}`, { hint: 'list them with list_deliveries' });
        const limit = max_body_bytes ?? DEFAULT_BODY_LIMIT;
        const data = {
          ...recordJson(record),
          ...bodyFields('request', record.requestBody, limit),
          ...bodyFields('response', record.responseBody, limit),
        };
        const verdicts = [
          `status ${record.status ?? record.error ?? '-'}`,
          record.signatureValid === null ? '' : `signature ${record.signatureValid ? 'valid' : 'invalid'}`,
          record.schemaValid == null ? '' : `schema ${record.schemaValid ? 'valid' : 'invalid'}`,
          record.diagnosis ? `doctor: ${record.diagnosis}` : '',
        ].filter(Boolean);
        return {
          summary: `${record.deliveryId ?? `#${record.id}`} ${record.event ?? '-'} (${record.direction === 'out' ? 'sent' : 'received'}, ${record.requestBody.length} bytes): ${verdicts.join(', ')}`,
          data,
        };
      },
    }),

    tool({
      name: 'replay_delivery',
      title: 'Replay a delivery',
      description:
        'Send a recorded delivery again, signed afresh as a new delivery linked to the original (`webhooks-cli replay`): to its target or `url`, with `set` overrides or a whole new `body`.',
      input: {
        id: z.string().min(1).describe('a delivery id (dlv_…) or a history row number'),
        url: targetUrl.optional(),
        secret,
        set: overrides,
        body: z.string().optional().describe('a new body (JSON text, sent byte for byte) instead of the recorded one'),
      },
      run: async (args) => {
        const key = signingSecret(args.secret);
        if (args.set?.length && args.body !== undefined)
          throw new UsageError(
            '`set` and `body` each give the replay a new body; pass only one',
            'e.g. set: ["data.price=10"]',
          );
        const outcome = await withHistory(async (store) => {
          const original = store.get(args.id);
          if (!original)
            throw new UserError(`no delivery "${args.id}" in ${ctx.dbPath}`, {
              hint: 'list them with list_deliveries',
            });
          const url = target(args.url ?? replayTarget(original));
          const body = args.set?.length
            ? bodyWithOverrides(original.requestBody, eventOf(original), args.set)
            : args.body !== undefined
              ? checkedBody(Buffer.from(args.body, 'utf8'), '`body`')
              : undefined;
          const done = await replayDelivery(original, {
            to: url,
            body,
            secret: key,
            timeoutMs: settings.timeoutMs,
            userAgent: USER_AGENT,
            env: ctx.env,
          });
          store.insert(done.record);
          return done;
        }, false);
        const { record, ok, result } = outcome;
        return {
          summary: `${ok ? '✓' : '✗'} ${result.status ?? result.error ?? '---'} ${record.event} ${record.deliveryId} (replay of ${record.replayOf})`,
          data: replayJson(record, ok),
        };
      },
    }),

    tool({
      name: 'diagnose_receiver',
      title: 'Diagnose a receiver',
      description:
        "`webhooks-cli doctor`: find out by experiment why a receiver rejects signed deliveries (a re-serialised body, a secret with a newline, another header…) and the fix in the receiver's language. Sends at most 21 deliveries, each in the history.",
      input: {
        url: targetUrl,
        secret,
        event: eventType.optional(),
      },
      run: async (args) => {
        const url = target(args.url);
        const key = signingSecret(args.secret);
        if (args.event !== undefined) requireEventType(args.event);
        const report = await withSpool((record) =>
          runDoctor({
            url,
            secret: key,
            event: args.event,
            timeoutMs: settings.timeoutMs,
            userAgent: USER_AGENT,
            env: ctx.env,
            record,
          }),
        );
        return { summary: diagnosisLine(report), data: diagnosisJson(report) };
      },
    }),

    tool({
      name: 'smoke_test',
      title: 'Smoke-test a receiver',
      description:
        '`webhooks-cli smoke`: signed deliveries answered 2xx in time, bad signatures rejected, the raw bytes verified, duplicates and odd bodies handled — a verdict per check, and the doctor when signature checks fail.',
      input: {
        url: targetUrl,
        secret,
        events: z.array(eventType).optional().describe('event types to deliver (default: all 16)'),
      },
      run: async (args) => {
        const url = target(args.url);
        const key = signingSecret(args.secret);
        args.events?.forEach(requireEventType);
        const events = args.events?.length ? [...new Set(args.events)] : EVENT_CATALOGUE.map((e) => e.type);
        const report = await withSpool((record) =>
          runSmoke({
            url,
            secret: key,
            events,
            timeoutMs: settings.timeoutMs,
            userAgent: USER_AGENT,
            env: ctx.env,
            record,
          }),
        );
        const summary = report.receiverReachable
          ? [
              ...report.checks.filter((c) => !c.passed && !c.notRun).map((c) => `FAIL ${c.id}: ${c.reason}`),
              ...patternLines(report),
              totalsLine(report),
            ]
          : [report.unreachable ?? 'the receiver did not answer'];
        return { summary: summary.join('\n'), data: reportJson(report) };
      },
    }),
  ];
}

/**
 * A target URL the server may send to: http(s), and on this machine (127.0.0.0/8, ::1,
 * localhost) unless started with `--allow-remote` — checked before any connection is made.
 */
export function allowedTarget(value: string, allowRemote: boolean): string {
  const url = requireHttpUrl(value, 'url');
  if (!allowRemote && !isLoopbackHost(url.hostname))
    throw new UsageError(
      `url ${url.host} is not on this machine`,
      'send to localhost, 127.0.0.1 or ::1, or start the server with webhooks-cli mcp --allow-remote',
    );
  return url.href;
}

/** A body within `limit` bytes: as text and base64 (the exact bytes), and whether and where it was cut. */
function bodyFields(which: 'request' | 'response', body: Buffer | null, limit: number) {
  if (body === null) return {};
  const kept = body.subarray(0, limit);
  return {
    [`${which}_body`]: kept.toString('utf8'),
    [`${which}_body_base64`]: kept.toString('base64'),
    [`${which}_body_size`]: body.length,
    [`${which}_body_truncated`]: kept.length < body.length,
  };
}
