/** The history record of one request this tool sent (trigger, replay, smoke): what went out, what came back. */

import { isSuccessStatus } from '../core/http-status.js';
import type { WebhookHeaders } from '../core/webhook-request.js';
import type { DeliveryRecord, HeaderMap, RecordSource } from '../store/delivery-record.js';
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
  return {
    direction: 'out',
    source: request.source,
    createdAt: request.createdAt,
    event: request.event,
    deliveryId: request.deliveryId,
    method: 'POST',
    url: request.url,
    remoteAddress: null,
    requestHeaders: request.headers,
    requestBody: request.body,
    status: result.status ?? null,
    responseHeaders: result.headers ?? null,
    responseBody: result.body ?? null,
    durationMs: result.durationMs,
    // A non-2xx answer is a failed delivery too: say so where the history shows errors.
    error:
      result.error ??
      (result.status !== undefined && !isSuccessStatus(result.status) ? `answered ${result.status}` : null),
    signatureValid: null,
    signatureError: null,
    duplicate: false,
    replayOf: request.replayOf ?? null,
  };
}
