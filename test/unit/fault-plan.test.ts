// The pure fault plan: seeded choices, delay ranges, the send plan and the emulator's stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FaultOptions, FaultStream, hasFaults, plannedRequests, planSends } from '../../src/core/fault-plan.js';
import { formatDelayRange, MAX_SEED, parseDelayRange } from '../../src/core/fault-values.js';
import { seededRandom } from '../../src/core/seeded-random.js';

const options = fc.record({
  duplicates: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  concurrentDuplicates: fc.boolean(),
  shuffle: fc.boolean(),
  jitter: fc.option(
    fc.tuple(fc.nat(5000), fc.nat(5000)).map(([a, b]) => ({ minMs: Math.min(a, b), maxMs: Math.max(a, b) })),
    { nil: undefined },
  ),
}) as fc.Arbitrary<FaultOptions>;
const seed = fc.integer({ min: 0, max: MAX_SEED });

const positions = (count: number, opts: FaultOptions, s: number) => {
  const plan = planSends(count, opts, s);
  return { plan, sends: Array.from({ length: count }, (_, i) => plan.at(i)) };
};

describe('delay ranges', () => {
  it.each([
    ['0-500ms', 0, 500],
    ['100ms-2s', 100, 2000],
    ['1-3s', 1000, 3000],
    ['250ms', 250, 250],
    ['0-500', 0, 500],
    ['2s', 2000, 2000],
    [' 10 - 20ms ', 10, 20],
    ['0.5-1.5s', 500, 1500],
  ])('%s is %i to %i ms', (text, minMs, maxMs) => {
    expect(parseDelayRange(text)).toEqual({ minMs, maxMs });
  });

  it.each([
    ['soon', /such as 0-500ms/],
    ['500-100ms', /smaller delay first/],
    ['-5ms', /such as/],
    ['1-2-3', /such as/],
    ['30d', /such as/],
  ])('%s is refused', (text, message) => {
    expect(() => parseDelayRange(text)).toThrow(message);
  });

  it('formats back to what parses to the same range', () => {
    for (const text of ['0-500ms', '250ms', '1-3s'])
      expect(parseDelayRange(formatDelayRange(parseDelayRange(text)))).toEqual(parseDelayRange(text));
  });
});

describe('seeded random', () => {
  it('the same seed draws the same numbers; another seed others', () => {
    const draw = (s: number) => {
      const r = seededRandom(s);
      return Array.from({ length: 20 }, () => r.int(0, 1_000_000));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(0)).not.toEqual(draw(MAX_SEED));
  });

  it('refuses seeds outside 0 … 2^32-1', () => {
    for (const bad of [-1, MAX_SEED + 1, 1.5, Number.NaN])
      expect(() => seededRandom(bad)).toThrow(/whole number from 0/);
  });

  it('chance(0) never and chance(1) always', () => {
    const r = seededRandom(1);
    expect(Array.from({ length: 100 }, () => r.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => r.chance(1)).every(Boolean)).toBe(true);
  });
});

describe('the send plan (properties)', () => {
  it('sends every delivery exactly once, duplicates exactly round(share × count), delays within the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), options, seed, (count, opts, s) => {
        const { plan, sends } = positions(count, opts, s);
        expect(sends.map((p) => p.delivery).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
        const duplicated = sends.filter((p) => p.duplicate);
        expect(duplicated).toHaveLength(Math.round((opts.duplicates ?? 0) * count));
        expect(plan.duplicates).toBe(duplicated.length);
        for (const p of duplicated) expect(p.duplicate).toBe(opts.concurrentDuplicates ? 'concurrent' : 'after-answer');
        for (const p of sends) {
          if (!opts.jitter) expect(p.delayMs).toBe(0);
          else {
            expect(p.delayMs).toBeGreaterThanOrEqual(opts.jitter.minMs);
            expect(p.delayMs).toBeLessThanOrEqual(opts.jitter.maxMs);
          }
        }
        if (!opts.shuffle) expect(sends.map((p) => p.delivery)).toEqual(Array.from({ length: count }, (_, i) => i));
      }),
    );
  });

  it('the same count, options and seed always give the same plan', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), options, seed, (count, opts, s) => {
        expect(positions(count, opts, s).sends).toEqual(positions(count, opts, s).sends);
      }),
    );
  });

  it('another seed shuffles into another order', () => {
    const order = (s: number) => positions(16, { shuffle: true }, s).sends.map((p) => p.delivery);
    expect(order(1)).not.toEqual(order(2));
    expect(order(1)).not.toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('lists each copy right after its original, with no delay of its own', () => {
    const plan = planSends(10, { duplicates: 0.3, shuffle: true, jitter: { minMs: 5, maxMs: 9 } }, 99);
    const requests = plannedRequests(plan);
    expect(requests).toHaveLength(13);
    requests.forEach((r, i) => {
      if (!r.copy) return;
      expect(requests[i - 1]).toMatchObject({ delivery: r.delivery, copy: false });
      expect(r.delayMs).toBe(0);
    });
  });

  it('has faults only when something random is asked for', () => {
    expect(hasFaults({})).toBe(false);
    expect(hasFaults({ duplicates: 0, concurrentDuplicates: true })).toBe(false);
    expect(hasFaults({ duplicates: 0.1 })).toBe(true);
    expect(hasFaults({ shuffle: true })).toBe(true);
    expect(hasFaults({ jitter: { minMs: 0, maxMs: 0 } })).toBe(true);
  });
});

describe('the fault stream (the emulator, one delivery at a time)', () => {
  it('the same seed draws the same faults; the share duplicated is close to the one asked for', () => {
    const draws = (s: number) => {
      const stream = new FaultStream({ duplicates: 0.3, jitter: { minMs: 0, maxMs: 2000 } }, s);
      return Array.from({ length: 2000 }, () => stream.next());
    };
    const a = draws(8);
    expect(draws(8)).toEqual(a);
    expect(draws(9)).not.toEqual(a);
    const share = a.filter((d) => d.duplicate).length / a.length;
    // 2000 draws at p = 0.3: the standard deviation is about 0.01, so this is a 5-sigma band.
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    expect(a.every((d) => d.delayMs >= 0 && d.delayMs <= 2000)).toBe(true);
    expect(new Set(a.map((d) => d.delayMs)).size).toBeGreaterThan(100);
  });
});
