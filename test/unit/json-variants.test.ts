import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { JSON_VARIANTS, writeJsonVariant } from '../../src/core/json-variants.js';
import { loadSampleEnvelope } from '../../src/samples/sample-payloads.js';
import { withNonAsciiText } from '../../src/smoke/raw-body-checks.js';

const product = {
  event: 'catalog.product.created',
  timestamp: '2023-12-01T10:30:00Z',
  data: {
    name: "Robe d'été",
    url: 'https://shop.example/p/1',
    price: 89.9,
    weight: 1,
    sizes: ['S', 'M'],
    empty: {},
    none: [],
    ok: true,
    gone: null,
  },
};

describe('non-canonical serialisations', () => {
  it.each(JSON_VARIANTS)('%s parses to the same value as the compact form, in other bytes', (variant) => {
    const compact = JSON.stringify(product);
    const text = writeJsonVariant(product, variant);
    expect(JSON.parse(text)).toEqual(JSON.parse(compact));
    expect(text).not.toBe(compact);
    // A JavaScript parse-then-stringify loses these bytes; key order it keeps (insertion order),
    // which is why that variant is for receivers that sort keys (Go maps, Python sort_keys).
    if (variant === 'key-order') expect(JSON.stringify(JSON.parse(text))).toBe(text);
    else expect(JSON.stringify(JSON.parse(text))).not.toBe(text);
  });

  it('writes each the way real producers do', () => {
    expect(writeJsonVariant(product, 'pretty-printed')).toBe(JSON.stringify(product, null, 2));
    expect(writeJsonVariant({ a: 1, b: { c: 2, d: 3 } }, 'key-order')).toBe('{"b":{"d":3,"c":2},"a":1}');
    expect(writeJsonVariant({ price: 89.9, qty: 1, big: 1e21, neg: -0.5 }, 'number-format')).toBe(
      '{"price":89.90,"qty":1.0,"big":1e+21,"neg":-0.50}',
    );
    expect(writeJsonVariant({ name: 'été/🙂' }, 'unicode-escapes')).toBe('{"name":"\\u00e9t\\u00e9\\/\\ud83d\\ude42"}');
    expect(writeJsonVariant({ a: 1 }, 'trailing-newline')).toBe('{"a":1}\n');
  });

  it('every sample payload, once given non-ASCII text, differs in every variant but padded numbers where it has none', () => {
    for (const type of EVENT_TYPES) {
      const envelope = withNonAsciiText(loadSampleEnvelope(type));
      const compact = JSON.stringify(envelope);
      expect(compact).toMatch(/é/);
      for (const variant of JSON_VARIANTS) {
        const text = writeJsonVariant(envelope, variant);
        expect(JSON.parse(text)).toEqual(envelope);
        if (variant === 'number-format' && !/\d,|\d}/.test(compact.replace(/"[^"]*"/g, '""'))) continue;
        expect(text, `${type} ${variant}`).not.toBe(compact);
      }
    }
  });
});
