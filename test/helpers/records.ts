/**
 * A history record for tests that write the store directly: a received, verified, answered
 * `catalog.product.created` delivery, with the fields a test cares about given as `overrides`.
 */
import type { DeliveryRecord } from '../../src/store/delivery-record.js';

export function deliveryRecord(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    direction: 'in',
    source: 'listen',
    createdAt: Date.now(),
    event: 'catalog.product.created',
    deliveryId: 'dlv_test',
    method: 'POST',
    url: '/webhook',
    remoteAddress: '127.0.0.1',
    requestHeaders: {},
    requestBody: Buffer.from('{}'),
    status: 200,
    responseHeaders: null,
    responseBody: null,
    durationMs: 1,
    error: null,
    signatureValid: true,
    signatureError: null,
    duplicate: false,
    replayOf: null,
    ...overrides,
  };
}
