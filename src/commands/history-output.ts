/** How `history` reads: the table, the page for one delivery, and the snake_case JSON shapes. */

import { redactUrl } from '../core/redact.js';
import { issueLine, schemaSummary } from '../core/schema-issue.js';
import { formatTable } from '../format/columns.js';
import { formatDuration, formatSpan, palette } from '../format/display.js';
import { printable, printableLines } from '../format/terminal-text.js';
import type { DeliveryRecord, DeliverySummary } from '../store/delivery-record.js';
import { heldNote } from '../ui/tui/row-format.js';

/** The history as a table; what a request brought (event, delivery id, schema errors) is shown `printable`. */
export function historyTable(rows: DeliverySummary[], color: boolean): string {
  const c = palette(color);
  // A NOTE column only when some row has one (a delivery a relay or listen held).
  const notes = rows.map((r) => heldNote(r) ?? '');
  const withNotes = notes.some(Boolean);
  const table = formatTable(
    ['ID', 'TIME', 'DIR', 'EVENT', 'DELIVERY', 'STATUS', 'SIG', 'SCHEMA', 'DURATION', ...(withNotes ? ['NOTE'] : [])],
    rows.map((r, i) => [
      String(r.id),
      new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      r.direction,
      printable(r.event ?? '-'),
      printable(r.deliveryId ?? '-'),
      r.status === null ? 'error' : String(r.status),
      r.signatureValid === null ? '-' : r.signatureValid ? '✓' : '✗',
      r.schemaValid === null || r.schemaValid === undefined
        ? '-'
        : r.schemaValid
          ? '✓'
          : printable(`✗ ${schemaSummary(r.schemaErrors)}`),
      formatDuration(r.durationMs),
      ...(withNotes ? [notes[i]!] : []),
    ]),
  );
  const [head, ...lines] = table.split('\n');
  return [c.bold(head!), ...lines].join('\n');
}

/** Snake-case JSON, the shape every `--json` output of the tool uses. */
export function summaryJson(r: DeliverySummary) {
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
    route: r.route ?? null,
    forwarded: r.forwarded ?? null,
    diagnosis: r.diagnosis ?? null,
    listener_url: r.listenerUrl ?? null,
    held_ms: r.heldMs ?? null,
    app_held: r.appHeld ?? null,
    body_size: r.bodySize,
  };
}

export function recordJson(r: DeliveryRecord & { id?: number }) {
  return {
    ...summaryJson({ ...r, id: r.id ?? 0, bodySize: r.requestBody.length }),
    request_headers: r.requestHeaders,
    request_body: r.requestBody.toString('utf8'),
    request_body_base64: r.requestBody.toString('base64'),
    response_headers: r.responseHeaders,
    response_body: r.responseBody?.toString('utf8') ?? null,
  };
}

/**
 * A readable page for one delivery: summary, headers, pretty body, the answer. Nearly all of it
 * is what a sender (or an app) chose, so every line is shown `printable`, the bodies keeping their
 * line breaks.
 */
export function formatRecord(r: DeliveryRecord & { id?: number }): string {
  const summary = [
    `delivery   ${r.deliveryId ?? '-'}  (#${r.id})`,
    `event      ${r.event ?? '-'}`,
    `direction  ${r.direction === 'out' ? 'sent' : 'received'} by ${r.source}${r.replayOf ? `, replay of ${r.replayOf}` : ''}`,
    `time       ${new Date(r.createdAt).toISOString()}`,
    `${(r.direction === 'out' ? 'target' : 'path').padEnd(11)}${r.method} ${redactUrl(r.url)}${r.remoteAddress ? `  from ${r.remoteAddress}` : ''}`,
    ...(r.listenerUrl ? [`listener   ${r.listenerUrl}  (where a replay goes)`] : []),
    `status     ${r.status ?? '-'}${r.error ? `  (${r.error})` : ''}  in ${formatDuration(r.durationMs)}`,
  ];
  if (r.diagnosis) summary.push(`doctor     ${r.diagnosis}`);
  if (r.heldMs !== null && r.heldMs !== undefined)
    summary.push(`held       ${formatSpan(r.heldMs)} by the relay (no listener was connected)`);
  if (r.appHeld !== null && r.appHeld !== undefined)
    summary.push(
      `app        ${r.appHeld ? 'down when it arrived: held, not passed on yet' : 'down when it arrived: held, passed on later'}`,
    );
  if (r.signatureValid !== null)
    summary.push(
      `signature  ${r.signatureValid ? '✓ valid' : `✗ ${r.signatureError ?? 'invalid'}`}${r.duplicate ? '  (duplicate delivery id)' : ''}`,
    );
  if (r.schemaValid === true) summary.push('schema     ✓ valid');
  if (r.schemaValid === false)
    summary.push(
      `schema     ✗ ${schemaSummary(r.schemaErrors)}`,
      ...(r.schemaErrors ?? []).map((issue) => `             ${issueLine(issue)}`),
    );
  const headers = (map: DeliveryRecord['requestHeaders']) =>
    Object.entries(map).map(([k, v]) => printable(`  ${k}: ${String(v)}`));
  const body = (bytes: Buffer) => indent(printableLines(prettyBody(bytes)));
  const page = [
    ...summary.map(printable),
    '',
    'request headers:',
    ...headers(r.requestHeaders),
    '',
    `request body (${r.requestBody.length} bytes):`,
    body(r.requestBody),
  ];
  if (r.responseHeaders || r.responseBody) {
    const answer = r.responseBody ?? Buffer.alloc(0);
    page.push('', 'response headers:', ...headers(r.responseHeaders ?? {}));
    page.push('', `response body (${answer.length} bytes):`, body(answer));
  }
  return page.join('\n');
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
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** Request headers the connection sets itself, which curl must not be told. */
const CONNECTION_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'expect',
]);

/**
 * A curl command that sends a recorded request again to `url`: the same bytes and headers, the
 * recorded signature among them (so the secret itself is never printed), quoted for a POSIX
 * shell. A body with a NUL byte or bytes that are not UTF-8, which no shell argument holds as they
 * are, goes through base64.
 */
export function curlCommand(r: DeliveryRecord, url: string): string {
  const headers = Object.entries(r.requestHeaders)
    .filter(([name]) => !CONNECTION_HEADERS.has(name.toLowerCase()))
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${String(v)}`));
  const parts = ['curl', '-sS', '-X', r.method, shellQuote(url), ...headers.flatMap((h) => ['-H', shellQuote(h)])];
  const text = r.requestBody.toString('utf8');
  if (r.requestBody.includes(0) || !Buffer.from(text, 'utf8').equals(r.requestBody)) {
    return `printf %s ${r.requestBody.toString('base64')} | base64 -d | ${parts.join(' ')} --data-binary @-`;
  }
  return [...parts, '--data-binary', shellQuote(text)].join(' ');
}

/** `text` in single quotes for a POSIX shell: every byte as it is, a quote as '\''. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** An age as `history prune --before` takes it: 7d, 12h, 30m. */
export function formatAge(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}
