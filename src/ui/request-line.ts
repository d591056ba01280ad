/** How `listen` reads without the TUI: one line (or JSON line) per request, and its status lines. */

import { EVENT_TYPES } from '../core/events.js';
import { isSuccessStatus } from '../core/http-status.js';
import { maskSecret, redactUrl } from '../core/redact.js';
import { issueLine } from '../core/schema-issue.js';
import { padColumns } from '../format/columns.js';
import { clockTime, formatDuration, formatSpan, palette } from '../format/display.js';
import { printable } from '../format/terminal-text.js';
import type { Listener, ListenerInfo } from '../receiver/index.js';
import type { ListenSummary } from '../receiver/listen-session.js';
import type { RouteVerdict } from '../receiver/route-doctor.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { doctorNote, heldNote, routeNote } from './tui/row-format.js';

/** The event column fits the longest event type, so the columns after it stay in line (in terminal columns: an event header may hold any text). */
const EVENT_WIDTH = Math.max(...EVENT_TYPES.map((type) => type.length), '(incomplete request)'.length);

/**
 * `12:03:04  ✓ 200  catalog.product.created  dlv_…  1.2 ms  (duplicate)`. What the request brought
 * (its event, delivery id, path, and errors quoting its body) is shown `printable`: a sender's
 * control characters never reach the terminal.
 */
export function formatRequestLine(r: DeliveryRecord, color: boolean): string {
  const c = palette(color);
  const time = clockTime(r.createdAt);
  const mark = r.signatureValid === null ? c.dim('·') : r.signatureValid ? c.green('✓') : c.red('✗');
  const ok = isSuccessStatus(r.status);
  const status = r.status === null ? c.red('---') : ok ? c.green(String(r.status)) : c.red(String(r.status));
  const what =
    r.event ??
    (r.method === '?' ? '(incomplete request)' : r.method === 'POST' ? '(no event header)' : `${r.method} ${r.url}`);
  const parts = [
    time,
    ` ${mark} ${status}`,
    padColumns(printable(what), EVENT_WIDTH),
    c.dim(printable(r.deliveryId ?? '-')),
    formatDuration(r.durationMs),
  ];
  if (r.schemaValid === false)
    parts.push(c.red(printable(`schema ✗ ${(r.schemaErrors ?? []).map(issueLine).join('; ')}`)));
  const route = routeNote(r);
  if (route) parts.push(c.cyan(route));
  const held = heldNote(r);
  if (held) parts.push(c.yellow(held));
  if (r.duplicate) parts.push(c.yellow('duplicate'));
  const problem = r.error ?? r.signatureError;
  if (problem) parts.push(c.red(printable(problem)));
  const doctor = doctorNote(r);
  if (doctor) parts.push(c.red(doctor));
  return parts.join('  ');
}

/** `doctor  → catalog.* (http://127.0.0.1:4001/hooks): reserialised-python: … — fix: …`, after the first rejection. */
export function routeVerdictLine({ route, line, report }: RouteVerdict, color: boolean): string {
  const c = palette(color);
  const paint = report.verdict === 'ok' ? c.green : c.red;
  return `doctor  ${c.cyan(`→ ${route.pattern}`)} (${redactUrl(route.url.href)}): ${paint(line)}`;
}

/** One JSON line per request, snake_case like every `--json` output of the tool. */
export function requestJson(r: DeliveryRecord) {
  return {
    type: 'request',
    time: new Date(r.createdAt).toISOString(),
    source: r.source,
    method: r.method,
    path: r.url,
    remote_address: r.remoteAddress,
    event: r.event,
    delivery_id: r.deliveryId,
    status: r.status,
    signature_valid: r.signatureValid,
    signature_error: r.signatureError,
    duplicate: r.duplicate,
    schema_valid: r.schemaValid ?? null,
    schema_errors: r.schemaErrors ?? null,
    duration_ms: r.durationMs,
    error: r.error,
    body_size: r.requestBody.length,
    route: r.route ?? null,
    forwarded: r.forwarded ?? null,
    diagnosis: r.diagnosis ?? null,
    held_ms: r.heldMs ?? null,
    app_held: r.appHeld ?? null,
  };
}

/** The banner's second line: where the web inspector is, with its access token. */
export function inspectorLine(url: string): string {
  return `inspector on ${url} — open it in a browser`;
}

/** The banner: where it listens, with which secrets (masked) and where it forwards. */
export function listeningLine(
  listener: Pick<Listener, 'url' | 'secrets' | 'routes'>,
  verify: boolean,
  schemas?: 'checked' | 'strict',
): string {
  const secrets = listener.secrets.map(maskSecret).join(', ') || '(none)';
  const checks =
    schemas === 'strict' ? ', schemas checked (422 when broken)' : schemas === 'checked' ? ', schemas checked' : '';
  const mode = `${!verify ? 'not verifying' : `secrets ${secrets}`}${checks}`;
  const forwarding = listener.routes.length ? `, forwarding ${routeTable(listener.routes)}` : '';
  return `listening on ${listener.url} (${mode}${forwarding}) — Ctrl-C to stop`;
}

/** `catalog.* → http://…/hooks, * → http://…`: the route table in match order, URLs redacted. */
export function routeTable(routes: Listener['routes']): string {
  if (routes.length === 1 && routes[0]!.pattern === '*') return `to ${redactUrl(routes[0]!.url.href)}`;
  return routes.map((route) => `${route.pattern} → ${redactUrl(route.url.href)}`).join(', ');
}

/**
 * The relay's backlog in one line: `catching up 1,204 held deliveries (the oldest held 3h12m)…`,
 * then `caught up 1,204 deliveries held for up to 3h12m`, and what `--backlog` skipped.
 */
export function backlogLine(backlog: NonNullable<ListenerInfo['backlog']>): string {
  const count = backlog.count.toLocaleString('en-US');
  const skipped = backlog.skipped
    ? `${backlog.skipped.toLocaleString('en-US')} held ${backlog.skipped === 1 ? 'delivery' : 'deliveries'} skipped (--backlog)`
    : '';
  if (backlog.state === 'catching-up')
    return `catching up ${count} held ${backlog.count === 1 ? 'delivery' : 'deliveries'}${backlog.oldestHeldMs === undefined ? '' : ` (the oldest held ${formatSpan(backlog.oldestHeldMs)})`}…${skipped ? `; ${skipped}` : ''}`;
  if (backlog.count === 0) return skipped;
  const caught = `caught up ${count} ${backlog.count === 1 ? 'delivery' : 'deliveries'} held for up to ${formatSpan(backlog.maxHeldMs ?? 0)}`;
  return skipped ? `${caught}; ${skipped}` : caught;
}

/** The relay's state; its URL and message come from the relay, so they are shown `printable`. */
export function relayLine(relay: NonNullable<ListenerInfo['relay']>): string {
  return printable(
    `relay: ${relay.state}${relay.publicUrl ? ` — public URL ${relay.publicUrl}` : ''}${relay.message ? ` (${relay.message})` : ''}`,
  );
}

/**
 * The line `listen` ends with: how many requests it received and where every one of them is — the
 * history, each spool file (and why), or nowhere (how many, and how many of those were answered
 * 2xx) — so nothing answered goes unaccounted for. "All recorded" only when that is so.
 */
export function stoppedLine(summary: ListenSummary, dbPath: string): string {
  const requests = `${summary.received} request${summary.received === 1 ? '' : 's'} received`;
  const spools = summary.spools ?? (summary.spilled ? [{ path: summary.spoolPath!, records: summary.spilled }] : []);
  const lost = summary.lost
    ? `; ${summary.lost} kept nowhere (neither ${dbPath} nor a spool file would take them), ${summary.lostAccepted ?? 0} of them answered 2xx`
    : '';
  const held = summary.heldForApp
    ? `; ${summary.heldForApp} held for the app were not passed on yet (marked held in the history; the next listen --app-down hold passes them on first)`
    : '';
  if (spools.length === 0 && !summary.lost) return `stopped: ${requests}, all recorded in ${dbPath}${held}`;
  const where = spools.map((file) => `, ${file.records} kept in ${file.path}`).join('');
  if (summary.damage) {
    return `stopped: ${requests}; ${summary.written} recorded in ${dbPath}${where} because ${summary.damage.message}${lost} — ${summary.damage.hint}; the first command after that imports them${held}`;
  }
  const why =
    spools.length === 0 ? '' : summary.failure ? ` because ${summary.failure}` : ' until the database is free';
  return `stopped: ${requests}; ${summary.written} recorded in ${dbPath}${where}${why}${lost}${held}`;
}
