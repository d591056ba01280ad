import type { CommandContext } from '../cli/context.js';
import { formatDuration, formatTable, palette, printJson, printLine } from '../cli/output.js';
import { redactUrl } from '../core/redact.js';
import { UserError } from '../errors.js';
import { requireEventType } from './event-arguments.js';
import type { DeliveryRecord, DeliverySummary, Direction } from '../store/delivery-record.js';
import { HistoryStore, type HistoryFilter } from '../store/history-store.js';
import { issueLine, schemaSummary } from '../schemas/schema-issue.js';

interface ListOptions {
  event?: string;
  status?: number;
  invalid?: boolean;
  schemaInvalid?: boolean;
  direction?: Direction;
  search?: string;
  limit?: number;
}

const DEFAULT_LIMIT = 50;

/** `--event` must name a known type: a typo would otherwise just list nothing. */
function requireKnownEvent(event: string | undefined): void {
  if (event !== undefined) requireEventType(event);
}

export async function listHistory(ctx: CommandContext, options: ListOptions): Promise<void> {
  requireKnownEvent(options.event);
  const filter: HistoryFilter = { ...options, limit: options.limit ?? DEFAULT_LIMIT };
  const store = HistoryStore.open(ctx.dbPath);
  try {
    if (ctx.interactive) {
      // A person at a terminal gets the browser (it pages, so --limit does not apply). Its first
      // screen is drawn as plain text before ink loads, so it opens at once.
      const [{ parseFilterQuery, queryText, toHistoryFilter }, frame] = await Promise.all([import('../ui/tui/filter-query.js'), import('../ui/history/history-first-frame.js')]);
      const query = queryText(options);
      const firstPage = store.list({ ...toHistoryFilter(parseFilterQuery(query)), limit: frame.HISTORY_PAGE_SIZE });
      const size = { columns: ctx.stdout.columns || 100, terminalRows: ctx.stdout.rows || 30 };
      frame.drawFirstFrame(ctx.stdout, process.stdin, frame.historyFirstFrame({ path: store.path, rows: firstPage, pageSize: frame.HISTORY_PAGE_SIZE, queryText: query, color: ctx.color, ...size }));
      const { runHistoryBrowser } = await import('../ui/history/run-history-browser.js');
      return await runHistoryBrowser(store, query, firstPage);
    }
    const rows = store.list(filter);
    if (ctx.json) return printJson(ctx, rows.map(summaryJson));
    if (rows.length === 0) return printLine(ctx, `no deliveries${Object.values(options).some((v) => v !== undefined && v !== false) ? ' match' : ''} in ${ctx.dbPath}`);
    printLine(ctx, historyTable(rows, ctx.color));
  } finally {
    store.close();
  }
}

export function showHistory(ctx: CommandContext, ref: string): void {
  const store = HistoryStore.open(ctx.dbPath);
  try {
    const record = store.get(ref);
    if (!record) throw new UserError(`no delivery "${ref}" in ${ctx.dbPath}`, { hint: 'list them with webhooks-cli history' });
    if (ctx.json) return printJson(ctx, recordJson(record));
    printLine(ctx, formatRecord(record));
  } finally {
    store.close();
  }
}

export function exportHistory(ctx: CommandContext, options: ListOptions): void {
  requireKnownEvent(options.event);
  const store = HistoryStore.open(ctx.dbPath);
  try {
    // Page backwards by id so a million rows never sit in memory at once.
    let beforeId: number | undefined;
    let left = options.limit ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const page = store.list({ ...options, beforeId, limit: Math.min(500, left) });
      if (page.length === 0) break;
      for (const row of page) ctx.stdout.write(JSON.stringify(recordJson(store.get(row.id)!)) + '\n');
      beforeId = page[page.length - 1]!.id;
      left -= page.length;
    }
  } finally {
    store.close();
  }
}

function historyTable(rows: DeliverySummary[], color: boolean): string {
  const c = palette(color);
  const table = formatTable(
    ['ID', 'TIME', 'DIR', 'EVENT', 'DELIVERY', 'STATUS', 'SIG', 'SCHEMA', 'DURATION'],
    rows.map((r) => [
      String(r.id),
      new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      r.direction,
      r.event ?? '-',
      r.deliveryId ?? '-',
      r.status === null ? 'error' : String(r.status),
      r.signatureValid === null ? '-' : r.signatureValid ? '✓' : '✗',
      r.schemaValid === null || r.schemaValid === undefined ? '-' : r.schemaValid ? '✓' : `✗ ${schemaSummary(r.schemaErrors)}`,
      formatDuration(r.durationMs),
    ]),
  );
  const [head, ...lines] = table.split('\n');
  return [c.bold(head!), ...lines].join('\n');
}

/** Snake-case JSON, the shape every `--json` output of the tool uses. */
function summaryJson(r: DeliverySummary) {
  return {
    id: r.id,
    direction: r.direction,
    source: r.source,
    created_at: new Date(r.createdAt).toISOString(),
    event: r.event,
    delivery_id: r.deliveryId,
    method: r.method,
    url: redactUrl(r.url),
    remote_address: r.remoteAddress,
    status: r.status,
    duration_ms: r.durationMs,
    error: r.error,
    signature_valid: r.signatureValid,
    signature_error: r.signatureError,
    duplicate: r.duplicate,
    replay_of: r.replayOf,
    schema_valid: r.schemaValid ?? null,
    schema_errors: r.schemaErrors ?? null,
    body_size: r.bodySize,
  };
}

function recordJson(r: DeliveryRecord & { id?: number }) {
  return {
    ...summaryJson({ ...r, id: r.id ?? 0, bodySize: r.requestBody.length }),
    request_headers: r.requestHeaders,
    request_body: r.requestBody.toString('utf8'),
    request_body_base64: r.requestBody.toString('base64'),
    response_headers: r.responseHeaders,
    response_body: r.responseBody?.toString('utf8') ?? null,
  };
}

/** A readable page for one delivery: summary, headers, pretty body, the answer. */
export function formatRecord(r: DeliveryRecord & { id?: number }): string {
  const lines = [
    `delivery   ${r.deliveryId ?? '-'}  (#${r.id})`,
    `event      ${r.event ?? '-'}`,
    `direction  ${r.direction === 'out' ? 'sent' : 'received'} by ${r.source}${r.replayOf ? `, replay of ${r.replayOf}` : ''}`,
    `time       ${new Date(r.createdAt).toISOString()}`,
    `${r.direction === 'out' ? 'target' : 'path'}     ${r.method} ${redactUrl(r.url)}${r.remoteAddress ? `  from ${r.remoteAddress}` : ''}`,
    `status     ${r.status ?? '-'}${r.error ? `  (${r.error})` : ''}  in ${formatDuration(r.durationMs)}`,
  ];
  if (r.signatureValid !== null) lines.push(`signature  ${r.signatureValid ? '✓ valid' : `✗ ${r.signatureError ?? 'invalid'}`}${r.duplicate ? '  (duplicate delivery id)' : ''}`);
  if (r.schemaValid === true) lines.push('schema     ✓ valid');
  if (r.schemaValid === false) lines.push(`schema     ✗ ${schemaSummary(r.schemaErrors)}`, ...(r.schemaErrors ?? []).map((issue) => `             ${issueLine(issue)}`));
  lines.push('', 'request headers:', ...Object.entries(r.requestHeaders).map(([k, v]) => `  ${k}: ${String(v)}`));
  lines.push('', `request body (${r.requestBody.length} bytes):`, indent(prettyBody(r.requestBody)));
  if (r.responseHeaders || r.responseBody) {
    lines.push('', 'response headers:', ...Object.entries(r.responseHeaders ?? {}).map(([k, v]) => `  ${k}: ${String(v)}`));
    lines.push('', `response body (${r.responseBody?.length ?? 0} bytes):`, indent(prettyBody(r.responseBody ?? Buffer.alloc(0))));
  }
  return lines.join('\n');
}

export function prettyBody(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
