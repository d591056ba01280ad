/** The history record of one request this tool sent (trigger, replay, smoke): what went out, what came back. */

import { isSuccessStatus } from '../core/http-status.js';
import type { WebhookHeaders } from '../core/webhook-request.js';
import type { DeliveryRecord, HeaderMap, RecordSource } from '../store/delivery-record.js';
import type { OwnFields, SharedFields } from '../store/delivery-spool.js';
import type { SendResult } from './http-sender.js';

export interface SentRequest {
  source: RecordSource;
  createdAt: number;
  event: string | null;
  deliveryId: string | null;
  url: string;
  headers: WebhookHeaders | HeaderMap;
  body: Buffer;
  replayOf?: string | null;
}

export function sentRecord(request: SentRequest, result: SendResult): DeliveryRecord {
  return { ...sharedSentFields(request), ...ownSentFields(request, result) };
}

/** What the records of every request of one body to one URL share (a load run encodes it once). */
export function sharedSentFields(request: Omit<SentRequest, 'createdAt' | 'deliveryId' | 'headers'>): SharedFields {
  return {
    direction: 'out',
    source: request.source,
    event: request.event,
    method: 'POST',
    url: request.url,
    remoteAddress: null,
    requestBody: request.body,
    signatureValid: null,
    signatureError: null,
    replayOf: request.replayOf ?? null,
  };
}

/** What is a request's own: its id, headers and time, and its answer. */
export function ownSentFields(
  request: Pick<SentRequest, 'createdAt' | 'deliveryId' | 'headers'>,
  result: SendResult,
  duplicate = false,
): OwnFields {
  return {
    createdAt: request.createdAt,
    deliveryId: request.deliveryId,
    requestHeaders: request.headers,
    status: result.status ?? null,
    responseHeaders: result.headers ?? null,
    responseBody: result.body ?? null,
    durationMs: result.durationMs,
    // A non-2xx answer is a failed delivery too: say so where the history shows errors.
    error:
      result.error ??
      (result.status !== undefined && !isSuccessStatus(result.status) ? `answered ${result.status}` : null),
    duplicate,
  };
}
