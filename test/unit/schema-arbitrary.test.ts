import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { EventValidator } from '../../src/schemas/event-validator.js';
import { envelopeArbitrary } from '../../src/schemas/schema-arbitrary.js';

const validator = new EventValidator();

describe('fuzz payloads from the schemas', () => {
  it.each(EVENT_TYPES)('every generated %s envelope is schema-valid', (type) => {
    fc.assert(
      fc.property(envelopeArbitrary(type), (envelope) => {
        expect(validator.validate(type, envelope)).toEqual([]);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('is unusual: astral, combining and non-Latin-1 text, empty and long arrays, absent optional fields, large numbers', () => {
    const samples = fc.sample(envelopeArbitrary('catalog.product.created'), { numRuns: 400, seed: 7 });
    const texts = samples.map((s) => JSON.stringify(s));
    expect(texts.some((t) => /[\u{10000}-\u{10FFFF}]/u.test(t))).toBe(true);
    expect(texts.some((t) => /\p{M}/u.test(t))).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal control sequences is the point
    expect(texts.some((t) => /[^\u0000-\u00ff]/u.test(t))).toBe(true);
    const data = samples.map((s) => s.data as { images?: unknown[]; brand?: string; price: number });
    expect(data.some((d) => d.images?.length === 0)).toBe(true);
    expect(data.some((d) => (d.images?.length ?? 0) >= 100)).toBe(true);
    expect(data.some((d) => d.brand === undefined)).toBe(true);
    expect(data.some((d) => d.price > 1e100)).toBe(true);
  });
});
