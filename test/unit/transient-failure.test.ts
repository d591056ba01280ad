/** Retry-After on 429 and 503, and when a request is sent again after a reset connection. */
import { describe, expect, it } from 'vitest';
import { resendAfterReset, retryAfterAnswer, retryAfterMs } from '../../src/api/transient-failure.js';

describe('Retry-After and resends', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates; unreadable is undefined', () => {
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
  it('waits only for 429/503 with Retry-After, within 3 tries and 60 s', () => {
    expect(retryAfterAnswer(429, '2', 1, 0, now)).toEqual({ waitMs: 2000 });
    expect(retryAfterAnswer(500, '2', 1, 0, now)).toBeUndefined();
    expect(retryAfterAnswer(503, undefined, 1, 0, now)).toBeUndefined();
    expect(retryAfterAnswer(503, '2', 3, 0, now)).toBeUndefined();
    expect(retryAfterAnswer(503, '30', 2, 31_000, now)).toBeUndefined();
  });
  it('a reset is resent once for GET and DELETE, never for POST or PATCH', () => {
    expect([
      resendAfterReset('GET', 0),
      resendAfterReset('DELETE', 0),
      resendAfterReset('GET', 1),
      resendAfterReset('POST', 0),
      resendAfterReset('PATCH', 0),
    ]).toEqual([true, true, false, false, false]);
  });
});
