import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attemptOffsetsMs,
  failureKindOf,
  MAX_RETRIES,
  RETRY_WINDOW_MS,
  retryDelayMs,
} from '../../src/core/retry-schedule.js';

const MIN = 60_000;

describe('retry schedule', () => {
  it('retries a 5xx immediately once, then backs off 5, 25, 125 and 625 minutes', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 'server-error'))).toEqual([
      0,
      5 * MIN,
      25 * MIN,
      125 * MIN,
      625 * MIN,
    ]);
  });

  it('backs off 1, 5, 25, 125 and 625 minutes after other failures', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 'other'))).toEqual([
      1 * MIN,
      5 * MIN,
      25 * MIN,
      125 * MIN,
      625 * MIN,
    ]);
  });

  it('stops after 5 retries (6 attempts)', () => {
    expect(MAX_RETRIES).toBe(5);
    expect(retryDelayMs(6, 'other')).toBeUndefined();
    expect(retryDelayMs(6, 'server-error')).toBeUndefined();
    expect(retryDelayMs(0, 'other')).toBeUndefined();
  });

  it('places the six attempts at the documented offsets', () => {
    expect(attemptOffsetsMs('server-error')).toEqual([0, 0, 5 * MIN, 30 * MIN, 155 * MIN, 780 * MIN]);
    expect(attemptOffsetsMs('other')).toEqual([0, 1 * MIN, 6 * MIN, 31 * MIN, 156 * MIN, 781 * MIN]);
  });

  it('scales every delay by the time scale', () => {
    expect(attemptOffsetsMs('other', 0.001)).toEqual([0, 60, 360, 1860, 9360, 46860]);
    expect(retryDelayMs(1, 'server-error', 0.001)).toBe(0);
  });

  it('keeps the last attempt within 24 hours of the first, whatever mix of failures, even at 10 s each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<'server-error' | 'other'>('server-error', 'other'), { minLength: 5, maxLength: 5 }),
        (kinds) => {
          const total = kinds.reduce((sum, kind, i) => sum + retryDelayMs(i + 1, kind)! + 10_000, 0);
          return total < RETRY_WINDOW_MS;
        },
      ),
    );
  });

  it('treats only 5xx answers as server errors', () => {
    expect(failureKindOf(500)).toBe('server-error');
    expect(failureKindOf(503)).toBe('server-error');
    expect(failureKindOf(599)).toBe('server-error');
    expect(failureKindOf(404)).toBe('other');
    expect(failureKindOf(302)).toBe('other');
    expect(failureKindOf(undefined)).toBe('other');
  });
});
