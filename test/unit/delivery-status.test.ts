/** The status filters of `deliveries --status`. */
import { describe, expect, it } from 'vitest';
import { DELIVERY_STATUSES, isDeliveryStatusFilter } from '../../src/core/delivery-status.js';

describe('delivery status filters', () => {
  it('are the four states or an HTTP status code', () => {
    expect(DELIVERY_STATUSES).toEqual(['succeeded', 'failed', 'pending', 'skipped']);
    for (const value of [...DELIVERY_STATUSES, '200', '500', '404'])
      expect(isDeliveryStatusFilter(value), value).toBe(true);
    for (const value of ['ok', 'SUCCEEDED', '600', '99', '2000', ''])
      expect(isDeliveryStatusFilter(value), value).toBe(false);
  });
});
