import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  OverrideError,
  parseOverride,
  serialiseEnvelope,
  webhookTimestamp,
} from '../../src/core/payload.js';

const sample = {
  event: 'catalog.product.created',
  timestamp: '2023-12-01T10:30:00Z',
  data: { price: 89.99, name: 'Dress', attributes: { size: ['S', 'M'], color: 'blue' } },
};

describe('parseOverride', () => {
  it.each([
    ['data.price=10', 10],
    ['data.price=10.5', 10.5],
    ['data.flag=true', true],
    ['data.x=null', null],
    ['data.name=Linen Shirt', 'Linen Shirt'],
    ['data.name="42"', '42'],
    ['data.size=["XL"]', ['XL']],
    ['data.o={"a":1}', { a: 1 }],
    ['data.eq=a=b', 'a=b'],
  ])('%s', (text, value) => {
    expect(parseOverride(text).value).toEqual(value);
  });

  it.each(['noequals', '=5', 'data..price=1', 'data.quantity={bad', 'data.size=[1,', 'data.name="unclosed'])(
    'rejects %s',
    (text) => {
      expect(() => parseOverride(text)).toThrow(OverrideError);
    },
  );
});

describe('applyOverrides', () => {
  it('sets nested fields and array items without touching the input', () => {
    const out = applyOverrides(sample, [parseOverride('data.price=10'), parseOverride('data.attributes.size.1=XL')]);
    expect(out.data.price).toBe(10);
    expect(out.data.attributes.size).toEqual(['S', 'XL']);
    expect(sample.data.price).toBe(89.99);
  });

  it('refuses a path that does not exist, suggesting the near one', () => {
    try {
      applyOverrides(sample, [parseOverride('data.prise=1')]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OverrideError);
      expect((err as OverrideError).hint).toMatch(/data\.price/);
    }
  });

  it('refuses to descend into a scalar', () => {
    expect(() => applyOverrides(sample, [parseOverride('data.price.cents=1')])).toThrow(/not an object/);
  });
});

describe('envelope', () => {
  it('timestamps are ISO-8601 UTC ending in Z, whole seconds', () => {
    expect(webhookTimestamp(new Date('2024-05-06T07:08:09.123Z'))).toBe('2024-05-06T07:08:09Z');
  });

  it('serialises compactly, once', () => {
    expect(serialiseEnvelope(sample).toString()).toBe(JSON.stringify(sample));
  });
});
