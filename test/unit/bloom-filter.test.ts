import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrowingBloomFilter } from '../../src/core/bloom-filter.js';

describe('GrowingBloomFilter', () => {
  it('never forgets a member, whatever the strings and however far past its first capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 3000 }), (values) => {
        const filter = new GrowingBloomFilter(16);
        for (const v of values) filter.add(v);
        return values.every((v) => filter.mightContain(v));
      }),
      { numRuns: 50 },
    );
  });

  it('keeps false positives near the rate asked for as it grows from 10,000 to 200,000 members', () => {
    const filter = new GrowingBloomFilter(10_000, 0.01);
    for (let i = 0; i < 200_000; i++) filter.add(`dlv_${i.toString(16).padStart(24, '0')}`);
    let false_positives = 0;
    const probes = 100_000;
    for (let i = 0; i < probes; i++) if (filter.mightContain(`dlv_other_${i}`)) false_positives++;
    // 1 % for the first layer, halving for each later one: together under 2 %.
    expect(false_positives / probes).toBeLessThan(0.02);
    expect(false_positives).toBeGreaterThan(0); // a filter that answers "no" to everything would pass the bound
    // 1.2 bytes a member at 1 %, more for the stricter layers, the capacity not yet used and the
    // rounding to powers of two: a few bytes, where a Set of the ids takes about 60.
    expect(filter.bytes / filter.size).toBeLessThan(6);
  });

  it('says "not here" for strings never added', () => {
    const filter = new GrowingBloomFilter(1000);
    filter.add('dlv_a');
    expect(filter.mightContain('dlv_a')).toBe(true);
    expect(filter.mightContain('dlv_b')).toBe(false);
    expect(filter.mightContain('')).toBe(false);
  });
});
