/**
 * Replays a recorded request: the same body bytes, signed afresh, sent as a new delivery (a new
 * delivery id, linked to the original through `replayOf`). Returns the record to store; never prints.
 */
import { newDeliveryId } from '../core/delivery-id.js';
import { isSuccessStatus } from '../core/http-status.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { UserError } from '../errors.js';
import { clockTime } from '../format/display.js';
import { printable } from '../format/terminal-text.js';
import { agentFor } from '../http/node-agent.js';
import { type DeliveryRecord, deliveryLabel } from '../store/delivery-record.js';
import { type SendResult, sendRequest } from './http-sender.js';
import { sentRecord } from './sent-record.js';

export interface ReplayOptions {
  /** Where to send it; default: `replayTarget(original)`. */
  to?: string;
  secret: string;
  timeoutMs: number;
  userAgent: string;
  /** Send these bytes instead of the recorded body (an edited replay, still linked to its original). */
  body?: Buffer;
  /**
   * Headers to send as well (an edited replay; lower-case names, no connection headers), over the
   * webhook's own; `x-webhook-event` names the event. The signature and delivery id are made afresh whatever they say.
   */
  headers?: Record<string, string>;
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the request. */
  env?: NodeJS.ProcessEnv;
}

export interface ReplayOutcome {
  record: DeliveryRecord;
  result: SendResult;
  ok: boolean;
}

/**
 * Where a replay goes without `--to`: the target of a sent request, or for a received one the
 * listener that received it, as recorded then. Never an address the request named: its Host
 * header is whatever the sender wrote, and a replay carries the developer's signature.
 */
export function replayTarget(original: DeliveryRecord): string {
  if (original.direction === 'out') return original.url;
  if (!original.listenerUrl)
    throw new UserError(
      `${deliveryLabel(original)} was recorded without the address of the listener that received it, so where to replay it is not known`,
      { hint: `name the target: webhooks-cli replay ${original.deliveryId ?? original.id} --to URL` },
    );
  return withRecordedQuery(original.listenerUrl, original.url);
}

/** The listener's URL with the query the request came with (an app behind --forward-to may read it). */
function withRecordedQuery(listenerUrl: string, requestTarget: string): string {
  const query = requestTarget.indexOf('?');
  // Only a plain path's query: an absolute-form target (`http://elsewhere/…`) names nothing to keep.
  if (query === -1 || !requestTarget.startsWith('/') || listenerUrl.includes('?')) return listenerUrl;
  return `${listenerUrl}${requestTarget.slice(query)}`;
}

export function eventOf(original: DeliveryRecord): string {
  if (!original.event)
    throw new UserError(`${requestName(original)} has no event type to replay`, {
      hint: 'replay a request that carried an X-Webhook-Event header or an "event" field',
    });
  // A received event (possibly read from an unsigned body) may hold what no header can carry.
  if (!HEADER_VALUE.test(original.event))
    throw new UserError(
      `${printable(requestName(original))} has an event type that cannot be sent as an X-Webhook-Event header (${printable(original.event)})`,
      { hint: 'send its body with webhooks-cli trigger <event type> --data FILE instead' },
    );
  return original.event;
}

/** What an HTTP header value may hold (RFC 9110 §5.5): visible characters, spaces and tabs inside. */
const HEADER_VALUE = /^[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/;

/** A recorded request as a person finds it: its delivery id, else its row, else when it came. */
function requestName(record: DeliveryRecord): string {
  if (record.deliveryId) return `delivery ${record.deliveryId}`;
  const when = `${record.direction === 'in' ? 'received' : 'sent'} at ${clockTime(record.createdAt)}`;
  return record.id === undefined
    ? `the request ${when} (it had no delivery id)`
    : `row #${record.id} (${when}, no delivery id)`;
}

export async function replayDelivery(original: DeliveryRecord, options: ReplayOptions): Promise<ReplayOutcome> {
  const url = options.to ?? replayTarget(original);
  const event = options.headers?.['x-webhook-event'] || eventOf(original);
  const deliveryId = newDeliveryId();
  const body = options.body ?? original.requestBody;
  const own = webhookHeaders({ event, deliveryId, body, secret: options.secret, userAgent: options.userAgent });
  const headers = {
    ...own,
    ...options.headers,
    'x-webhook-delivery': own['x-webhook-delivery'],
    'x-webhook-signature': own['x-webhook-signature'],
  };
  const createdAt = Date.now();
  const { agent, proxy } = await agentFor(url, options.env ?? {});
  const result = await sendRequest({ url, headers, body, timeoutMs: options.timeoutMs, agent, proxy }).finally(() =>
    agent.destroy(),
  );
  const record = sentRecord(
    {
      source: 'replay',
      createdAt,
      event,
      deliveryId,
      url,
      headers,
      body,
      replayOf: original.deliveryId ?? (original.id === undefined ? null : `#${original.id}`),
    },
    result,
  );
  return { record, result, ok: isSuccessStatus(result.status) };
}
