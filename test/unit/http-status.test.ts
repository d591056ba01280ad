/** Which statuses count as a delivered webhook. */
import { describe, expect, it } from 'vitest';
import { isSuccessStatus } from '../../src/core/http-status.js';

describe('isSuccessStatus', () => {
  it('counts 200–299 only', () => {
    expect([200, 201, 204, 299].map(isSuccessStatus)).toEqual([true, true, true, true]);
    expect([199, 300, 301, 404, 500, 0].map(isSuccessStatus)).toEqual([false, false, false, false, false, false]);
    expect(isSuccessStatus(null)).toBe(false);
    expect(isSuccessStatus(undefined)).toBe(false);
  });
});
