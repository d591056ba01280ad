/** The inspector's chart data: seconds merged as batches arrive, a minute of them drawn. */
import { describe, expect, it } from 'vitest';
import type { SecondOfActivity } from '../../src/inspector/wire.js';
import { CHART_SECONDS, chartSeconds, mergeActivity } from '../../src/inspector-page/activity.js';

const second = (s: number, total: number, meanMs: number | null, maxMs: number | null = meanMs): SecondOfActivity => ({
  second: s,
  total,
  ok: total,
  redirect: 0,
  clientError: 0,
  serverError: 0,
  other: 0,
  meanMs,
  maxMs,
});

describe('mergeActivity', () => {
  it('adds up one second seen in two batches, its mean weighted by the requests, its slowest kept', () => {
    const merged = mergeActivity(mergeActivity(new Map(), [second(100, 1, 10)], 100), [second(100, 3, 2, 5)], 100);
    expect(merged.get(100)).toMatchObject({ total: 4, ok: 4, meanMs: 4, maxMs: 10 });
  });

  it('forgets seconds long past', () => {
    const merged = mergeActivity(new Map(), [second(1, 1, 1), second(500, 1, 1)], 500);
    expect([...merged.keys()]).toEqual([500]);
  });
});

describe('chartSeconds', () => {
  it('gives the last minute oldest first, an empty second where nothing arrived', () => {
    const seconds = chartSeconds(new Map([[1000, second(1000, 7, 1)]]), 1000);
    expect(seconds).toHaveLength(CHART_SECONDS);
    expect(seconds[0]!.second).toBe(1000 - CHART_SECONDS + 1);
    expect(seconds.at(-1)).toMatchObject({ second: 1000, total: 7 });
    expect(seconds[0]).toMatchObject({ total: 0, meanMs: null });
  });
});
