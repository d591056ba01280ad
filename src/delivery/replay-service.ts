/**
 * Replays a recorded request: the same body bytes, signed afresh, sent as a new delivery (a new
 * delivery id, linked to the original through `replayOf`). Returns the record to store; never prints.
 */
import { newDeliveryId } from '../core/delivery-id.js';
import { isSuccessStatus } from '../core/http-status.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { UserError } from '../errors.js';
import { agentFor } from '../http/node-agent.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { type SendResult, sendRequest } from './http-sender.js';
import { sentRecord } from './sent-record.js';

export interface ReplayOptions {
  /** Where to send it; default: where the original went. */
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
 * Where the original went: the target of a sent request, or for a received one the listener it
 * reached (its Host header and path).
 */
export function originalTarget(original: DeliveryRecord): string {
  if (original.direction === 'out') return original.url;
  const host = original.requestHeaders.host;
  const hostName = Array.isArray(host) ? host[0] : host;
  if (!hostName || !original.url.startsWith('/')) {
    throw new UserError(`cannot tell where delivery ${original.deliveryId ?? original.id} was sent`, {
      hint: 'pass --to URL',
    });
  }
  return `http://${hostName}${original.url}`;
}

export function eventOf(original: DeliveryRecord): string {
  if (original.event) return original.event;
  throw new UserError(`delivery ${original.deliveryId ?? original.id} has no event type to replay`, {
    hint: 'replay a request that carried an X-Webhook-Event header',
  });
}

export async function replayDelivery(original: DeliveryRecord, options: ReplayOptions): Promise<ReplayOutcome> {
  const url = options.to ?? originalTarget(original);
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
