/** The headers of a signed webhook request, exactly as the platform document lists them. */
import { sign } from './signature.js';

export interface WebhookHeaders {
  'content-type': 'application/json';
  'user-agent': string;
  'x-webhook-event': string;
  'x-webhook-delivery': string;
  'x-webhook-signature'?: string;
  [name: string]: string | undefined;
}

export interface SignedRequestInput {
  event: string;
  deliveryId: string;
  body: Uint8Array | string;
  /** No secret means an unsigned request (used to test receivers). */
  secret?: string;
  userAgent: string;
}

export function webhookHeaders({ event, deliveryId, body, secret, userAgent }: SignedRequestInput): WebhookHeaders {
  const headers: WebhookHeaders = {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'x-webhook-event': event,
    'x-webhook-delivery': deliveryId,
  };
  if (secret !== undefined) headers['x-webhook-signature'] = sign(body, secret);
  return headers;
}
