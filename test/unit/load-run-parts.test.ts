/**
 * The parts of a load run that need no network: its shape from the flags, the figures kept as it
 * goes (HDR percentiles, the per-second timeline that adds up), the live line's width and the
 * block chart.
 */
import { describe, expect, it } from 'vitest';
import { defaultRateConcurrency, dueAtMs, plannedTotal, scheduleKept } from '../../src/core/load-shape.js';
import { LoadStats } from '../../src/delivery/load-stats.js';
import { blockRow, fitColumns, largest, mean } from '../../src/format/block-chart.js';
import { liveLine } from '../../src/ui/load-line.js';

describe('load shape', () => {
  it('counts rounds, or what the rate schedules within the duration, the smaller when both are given', () => {
    expect(plannedTotal({ perRound: 16, count: 5 })).toBe(80);
    expect(plannedTotal({ perRound: 1, rate: 500, durationMs: 60_000 })).toBe(30_000);
    expect(plannedTotal({ perRound: 1, rate: 3, durationMs: 500 })).toBe(1);
    expect(plannedTotal({ perRound: 2, count: 10, rate: 100, durationMs: 60_000 })).toBe(20);
    expect(plannedTotal({ perRound: 1, durationMs: 1000 })).toBeUndefined();
    expect(dueAtMs(0, 200)).toBe(0);
    expect(dueAtMs(201, 200)).toBe(1005);
  });

  it('allows every delivery of one timeout window in flight by default, at most 1000', () => {
    expect(defaultRateConcurrency(10, 10_000)).toBe(100);
    expect(defaultRateConcurrency(500, 10_000)).toBe(1000);
    expect(defaultRateConcurrency(1, 500)).toBe(1);
  });

  it('a few hiccups keep the schedule; 1 % late or a second behind does not', () => {
    expect(scheduleKept({ late: 0, maxBehindMs: 0 }, 1000)).toBe(true);
    expect(scheduleKept({ late: 10, maxBehindMs: 300 }, 1000)).toBe(true);
    expect(scheduleKept({ late: 11, maxBehindMs: 300 }, 1000)).toBe(false);
    expect(scheduleKept({ late: 1, maxBehindMs: 1200 }, 1000)).toBe(false);
  });
});

describe('LoadStats', () => {
  it('keeps counts by outcome, HDR percentiles, and a timeline by the second each request went out', () => {
    const start = 1_000;
    const stats = new LoadStats(start, 10_000);
    // Second 0: 98 quick answers, a 503 and a refusal; second 2: one slow answer (nothing in second 1).
    for (let i = 0; i < 100; i++) {
      const at = start + i * 5;
      const second = stats.wentOut(at, false);
      if (i === 98) stats.answered(second, { status: 503, durationMs: 4 }, 4, at + 4);
      else if (i === 99) stats.answered(second, { errorCode: 'refused', durationMs: 1 }, 1, at + 1);
      else stats.answered(second, { status: 200, durationMs: 2 }, 2 + (i % 10), at + 2);
    }
    const slow = stats.wentOut(start + 2_100, true);
    expect(stats.inFlight).toBe(1);
    stats.answered(slow, { status: 200, durationMs: 12_000 }, 12_000, start + 14_100);

    expect(stats).toMatchObject({ sent: 101, duplicates: 1, succeeded: 99, failedStatus: 1, errors: 1, inFlight: 0 });
    expect(stats.platformTimeouts).toBe(1);
    expect(stats.statusCounts).toEqual({ 200: 99, 503: 1, refused: 1 });
    const latency = stats.latency();
    expect(latency.count).toBe(100);
    expect(latency.p50).toBeCloseTo(6, 1);
    expect(latency.max).toBeGreaterThanOrEqual(11_990);
    expect(latency.max).toBeLessThanOrEqual(12_010);
    const timeline = stats.timeline();
    expect(timeline.map(({ second, sent, succeeded, failed }) => ({ second, sent, succeeded, failed }))).toEqual([
      { second: 0, sent: 100, succeeded: 98, failed: 2 },
      { second: 1, sent: 0, succeeded: 0, failed: 0 },
      { second: 2, sent: 1, succeeded: 1, failed: 0 },
    ]);
    expect(timeline[0]!.p99).toBeLessThan(12);
    expect(timeline[1]!.p50).toBeNull();
    expect(timeline[2]!.p99).toBeGreaterThan(11_000);
  });

  it('a timeout counts against the platform only when the run waited as long as the platform does', () => {
    const patient = new LoadStats(0, 10_000);
    patient.answered(patient.wentOut(0, false), { errorCode: 'timeout', durationMs: 10_000 }, 10_000, 10_000);
    expect(patient.platformTimeouts).toBe(1);
    const hasty = new LoadStats(0, 2_000);
    hasty.answered(hasty.wentOut(0, false), { errorCode: 'timeout', durationMs: 2_000 }, 2_000, 2_000);
    expect(hasty.platformTimeouts).toBe(0);
  });

  it('the live figures are those of the last whole second', () => {
    const stats = new LoadStats(0, 10_000);
    for (let i = 0; i < 50; i++)
      stats.answered(stats.wentOut(i * 20, false), { status: 200, durationMs: 3 }, 3, i * 20 + 3);
    stats.wentOut(1_500, false);
    const live = stats.live(1_600);
    expect(live).toMatchObject({ ratePerSecond: 50, inFlight: 1, errors: [] });
    expect(live.p50).toBeCloseTo(3, 1);
  });
});

describe('the live line', () => {
  it('fits 79 columns however many kinds of failure there are', () => {
    const line = liveLine({
      elapsedMs: 3_723_000,
      ratePerSecond: 1_234,
      inFlight: 1_000,
      p50: 1234.5,
      p99: 9876.5,
      errors: [
        ['timeout', 123_456],
        ['refused', 1_000],
        ['503', 77],
        ['reset', 5],
        ['502', 1],
      ],
    });
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/^3723s {2}1234\/s {2}in flight 1000 {2}p50 1235 ms {2}p99 9877 ms {2}err timeout×123456 …$/);
    expect(liveLine({ elapsedMs: 2_100, ratePerSecond: 200, inFlight: 3, p50: null, p99: null, errors: [] })).toBe(
      '2s  200/s  in flight 3  p50 -  p99 -',
    );
  });
});

describe('block chart', () => {
  it('scales a row of blocks to its largest value, a gap as a space', () => {
    expect(blockRow([0, 50, 100, null, 25])).toBe('▁▅█ ▃');
    expect(blockRow([0, 0])).toBe('▁▁');
  });

  it('squeezes a long series into columns, a mean for rates and the largest for p99', () => {
    const values = Array.from({ length: 120 }, (_, i) => (i === 61 ? 2000 : 10));
    expect(fitColumns(values, 60, mean)).toHaveLength(60);
    expect(fitColumns(values, 60, largest)[30]).toBe(2000);
    expect(fitColumns(values, 60, mean)[30]).toBe(1005);
    expect(fitColumns([1, null, 3], 60, mean)).toEqual([1, null, 3]);
  });
});
