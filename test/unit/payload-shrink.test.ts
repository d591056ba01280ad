import { describe, expect, it } from 'vitest';
import { shrinkPayload } from '../../src/smoke/payload-shrink.js';

const budget = { deadline: Number.POSITIVE_INFINITY, maxTries: 10_000 };

describe('shrinkPayload', () => {
  it('takes the largest steps first: one bad item of 160 is found in a few dozen tries', async () => {
    const items = Array.from({ length: 160 }, (_, i) => ({
      id: `item-${i}`,
      note: i === 97 ? 'caf\u00e9 \u0100' : 'plain',
    }));
    const fails = (value: unknown) => JSON.stringify(value).includes('\u0100');
    const result = await shrinkPayload(
      { kind: 'list', items },
      { ...budget, isValid: () => true, stillFails: async (v) => fails(v) },
    );
    expect(result.value).toEqual({ items: [{ note: '\u0100' }] });
    expect(result.tries).toBeLessThan(60);
    expect(result.cut).toBeUndefined();
  });

  it('never sends a candidate that is not valid, and keeps what validity requires', async () => {
    const sent: unknown[] = [];
    // At least one item, each with a non-empty id: the schema's minItems and minLength.
    const isValid = (value: unknown) => {
      const v = value as { items?: Array<{ id?: string }> };
      return (
        Array.isArray(v.items) &&
        v.items.length >= 1 &&
        v.items.every((i) => typeof i.id === 'string' && i.id.length > 0)
      );
    };
    const result = await shrinkPayload(
      { items: [{ id: 'x\u0100y' }, { id: 'abc' }], total: 12.5 },
      {
        ...budget,
        isValid,
        stillFails: async (v) => {
          sent.push(v);
          return JSON.stringify(v).includes('\u0100');
        },
      },
    );
    expect(sent.every(isValid)).toBe(true);
    expect(result.value).toEqual({ items: [{ id: '\u0100' }] });
  });

  it('stops at the deadline or the number of tries, keeping the smallest failure so far', async () => {
    const start = { text: 'x'.repeat(64) };
    const longEnough = async (value: unknown) => ((value as { text?: string }).text ?? '').length >= 10;
    const result = await shrinkPayload(start, { ...budget, maxTries: 3, isValid: () => true, stillFails: longEnough });
    expect(result).toMatchObject({ tries: 3, cut: 'tries', value: { text: 'x'.repeat(32) } });
    const stopped = await shrinkPayload(start, {
      ...budget,
      stopped: () => true,
      isValid: () => true,
      stillFails: async () => true,
    });
    expect(stopped).toMatchObject({ value: start, tries: 0, cut: 'stopped' });
  });
});
