/**
 * One recorded delivery as the inspector's detail view reads it: the exact bytes (base64), the
 * headers, the signature explained with the secrets this run knows (expected against received,
 * and the likely causes), where a replay would go, and a curl command that sends it again.
 */
import { curlCommand } from '../core/curl-command.js';
import { isHopByHop } from '../core/http-headers.js';
import { diagnose } from '../core/signature.js';
import { replayTarget as originalTarget } from '../delivery/replay-service.js';
import type { DeliveryRecord, DeliverySummary, HeaderMap } from '../store/delivery-record.js';
import { uncheckedReason } from '../ui/tui/detail-lines.js';
import type { DetailJson, RowJson, SignatureJson } from './wire.js';

/** Made afresh on every replay, so an edit starts without them. */
const REMADE_ON_REPLAY = new Set(['host', 'x-webhook-signature', 'x-webhook-delivery']);

export function rowJson(summary: DeliverySummary): RowJson {
  return summary;
}

export function detailJson(record: DeliveryRecord & { id: number }, secrets: readonly string[]): DetailJson {
  const { requestHeaders, requestBody, responseHeaders, responseBody, ...rest } = record;
  let replayTarget: string | null = null;
  let replayTargetProblem: string | null = null;
  try {
    replayTarget = originalTarget(record);
  } catch (err) {
    replayTargetProblem = (err as Error).message;
  }
  return {
    row: { ...rest, bodySize: requestBody.length },
    requestHeaders,
    body: requestBody.toString('base64'),
    responseHeaders,
    responseBody: responseBody ? responseBody.toString('base64') : null,
    signature: record.direction === 'in' ? signatureJson(record, secrets) : null,
    curl: curlCommand({
      method: record.method === '?' ? 'POST' : record.method,
      url: replayTarget ?? record.url,
      headers: requestHeaders,
      body: requestBody,
    }),
    replayTarget,
    replayTargetProblem,
    editableHeaders: editableHeaders(requestHeaders),
  };
}

function signatureJson(record: DeliveryRecord, secrets: readonly string[]): SignatureJson {
  const header = record.requestHeaders['x-webhook-signature'];
  const received = (Array.isArray(header) ? header[0] : header) ?? null;
  const base = { received, expected: [], secretNumber: null, secretCount: secrets.length, hints: [] };
  const unchecked = record.signatureValid === null ? uncheckedReason(record) : undefined;
  if (unchecked) return { ...base, state: 'unchecked', message: `not checked: ${unchecked}` };
  if (secrets.length === 0) {
    if (record.signatureValid === null) return { ...base, state: 'unchecked', message: 'not checked (no secret)' };
    return {
      ...base,
      state: record.signatureValid ? 'valid' : 'invalid',
      message: record.signatureValid ? 'valid' : (record.signatureError ?? 'invalid'),
    };
  }
  const d = diagnose(record.requestBody, header, secrets);
  if (d.verification.valid)
    return {
      ...base,
      state: 'valid',
      message: 'valid',
      secretNumber: d.verification.secretIndex + 1,
    };
  return { ...base, state: 'invalid', message: d.verification.message, expected: d.expected, hints: d.hints };
}

function editableHeaders(headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name) || REMADE_ON_REPLAY.has(name.toLowerCase())) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
