/**
 * The detail view of one delivery as plain lines: summary, signature diagnosis, request headers,
 * the body (pretty JSON, or a hex preview of binary data), and the answer. Pure; the view windows it.
 */

import { isSuccessStatus } from '../../core/http-status.js';
import { redactUrl } from '../../core/redact.js';
import { issueLine, schemaSummary } from '../../core/schema-issue.js';
import { abbreviateSignature, diagnose } from '../../core/signature.js';
import { formatDuration } from '../../format/display.js';
import { printable } from '../../format/terminal-text.js';
import type { DeliveryRecord, HeaderMap } from '../../store/delivery-record.js';
import { routeNote } from './row-format.js';

export interface DetailLine {
  text: string;
  tone?: 'heading' | 'ok' | 'bad' | 'warn' | 'dim';
}

export interface DetailOptions {
  /** Secrets to diagnose the signature with (the listener's); without them the recorded verdict is shown. */
  secrets?: readonly string[];
  /** What the answer is called: "answer" for ours, "app's answer" when forwarding. */
  answerLabel?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Every line `printable`: nearly all of it is what a sender or an app chose. */
export function detailLines(r: DeliveryRecord, options: DetailOptions = {}): DetailLine[] {
  const lines: DetailLine[] = [];
  const add = (text: string, tone?: DetailLine['tone']) => lines.push({ text, tone });
  const received = r.direction === 'in';
  add(
    `${r.deliveryId ?? '(no delivery id)'}${r.id !== undefined ? `  #${r.id}` : ''}  ${r.event ?? '(no event)'}`,
    'heading',
  );
  add(
    `${received ? 'received' : 'sent'} ${new Date(r.createdAt).toISOString()}  ${r.method} ${redactUrl(r.url)}${r.remoteAddress ? `  from ${r.remoteAddress}` : ''}  via ${r.source}`,
  );
  if (r.replayOf) add(`replay of ${r.replayOf}`, 'dim');
  const route = routeNote(r);
  if (route)
    add(
      r.route ? `forwarded by route ${r.route}` : 'not forwarded: no route matches its event; answered by listen',
      'dim',
    );
  const ok = isSuccessStatus(r.status);
  add(
    `status ${r.status ?? '---'} in ${formatDuration(r.durationMs)}${r.duplicate ? '  · duplicate delivery id (accepted before)' : ''}`,
    ok ? 'ok' : 'bad',
  );
  if (r.error) add(`error: ${r.error}`, 'bad');
  if (r.diagnosis) add(`doctor: ${r.diagnosis}`, 'bad');

  if (received) {
    add('');
    add('Signature', 'heading');
    lines.push(...signatureLines(r, options.secrets ?? []));
  }
  if (r.schemaValid === true || r.schemaValid === false) {
    add('');
    add('Schema', 'heading');
    if (r.schemaValid) add("✓ valid: the envelope and its event's schema", 'ok');
    else {
      add(`✗ ${schemaSummary(r.schemaErrors)}`, 'bad');
      for (const issue of r.schemaErrors ?? []) add(`  ${issueLine(issue)}`, 'bad');
    }
  }
  add('');
  add('Request headers', 'heading');
  lines.push(...headerLines(r.requestHeaders));
  add('');
  add(`Body (${r.requestBody.length} bytes)`, 'heading');
  lines.push(...bodyLines(r.requestBody));
  if (r.responseHeaders || r.responseBody) {
    add('');
    add(`${options.answerLabel ?? 'Answer'}: ${r.status ?? '---'}`, 'heading');
    lines.push(...headerLines(r.responseHeaders ?? {}));
    if (r.responseBody && r.responseBody.length > 0) lines.push(...bodyLines(r.responseBody));
  }
  return lines.map((line) => ({ ...line, text: printable(line.text) }));
}

function signatureLines(r: DeliveryRecord, secrets: readonly string[]): DetailLine[] {
  const header = r.requestHeaders['x-webhook-signature'];
  const unchecked = r.signatureValid === null ? uncheckedReason(r) : undefined;
  if (unchecked) return [{ text: `not checked: ${unchecked}`, tone: 'dim' }];
  if (secrets.length === 0) {
    if (r.signatureValid === null) return [{ text: 'not checked (no secret)', tone: 'dim' }];
    return [
      {
        text: r.signatureValid ? '✓ valid' : `✗ ${r.signatureError ?? 'invalid'}`,
        tone: r.signatureValid ? 'ok' : 'bad',
      },
      { text: `received  ${String(header ?? '(none)')}`, tone: 'dim' },
    ];
  }
  const d = diagnose(r.requestBody, header, secrets);
  const out: DetailLine[] = [];
  if (d.verification.valid)
    out.push({ text: `✓ valid (secret #${d.verification.secretIndex + 1} of ${secrets.length})`, tone: 'ok' });
  else out.push({ text: `✗ ${d.verification.message}`, tone: 'bad' });
  out.push({ text: `received  ${d.received ?? '(none)'}`, tone: 'dim' });
  if (!d.verification.valid)
    d.expected.forEach((e, i) =>
      out.push({
        text: `expected  ${abbreviateSignature(e)}${d.expected.length > 1 ? `  (secret #${i + 1})` : ''}`,
        tone: 'dim',
      }),
    );
  for (const hint of d.hints) out.push({ text: `hint: ${hint}`, tone: 'warn' });
  return out;
}

/**
 * Why a received request's signature was never checked, when the request itself says so: the
 * listener answered before it had a whole request to check. Undefined otherwise (no secret, or
 * --no-verify without one).
 */
export function uncheckedReason(r: DeliveryRecord): string | undefined {
  if (r.method === '?') {
    // Answered by the transport before a request existed.
    if (r.status === 408) return 'the request never completed (the client was too slow to send it; answered 408)';
    if (r.status === 431) return 'the request headers were too large (answered 431)';
    return `the request never completed (answered ${r.status ?? 'nothing'})`;
  }
  if (r.status === 413) return 'the body was over the size limit, so it was not kept (answered 413)';
  if (r.status === 404 || r.status === 405) return `not a POST to the webhook path (answered ${r.status})`;
  return undefined;
}

function headerLines(headers: HeaderMap): DetailLine[] {
  const entries = Object.entries(headers).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return [{ text: '  (none)', tone: 'dim' }];
  return entries.map(([k, v]) => ({ text: `  ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}` }));
}

function bodyLines(body: Buffer): DetailLine[] {
  if (body.length === 0) return [{ text: '  (empty)', tone: 'dim' }];
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    const preview = body
      .subarray(0, 256)
      .toString('hex')
      .replace(/(.{2})/g, '$1 ')
      .trim();
    return [
      { text: `  binary data (not UTF-8); first ${Math.min(256, body.length)} bytes:`, tone: 'warn' },
      ...wrapHex(preview).map((t) => ({ text: `  ${t}`, tone: 'dim' as const })),
    ];
  }
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as received.
  }
  return pretty.split('\n').map((l) => ({ text: `  ${l}` }));
}

function wrapHex(hex: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < hex.length; i += 48) out.push(hex.slice(i, i + 48));
  return out;
}
