/**
 * fast-check generators of schema-valid but unusual values, read from the event schemas: strings
 * from the whole of Unicode (astral and combining characters, controls), numbers across their
 * allowed range, empty and long arrays, optional fields absent. Covers the keywords the event
 * schemas use (event-schemas.ts); anything else is a programming error, caught by the tests.
 * Shrinking comes with fast-check: a failure is reduced to a small payload.
 */
import fc from 'fast-check';
import { eventSchema, type JsonSchema } from './event-schemas.js';

/** Long enough that a receiver with a fixed-size buffer or a per-item cost notices. */
const LONG_ARRAY = { minLength: 100, maxLength: 200 };

export function envelopeArbitrary(type: string): fc.Arbitrary<Record<string, unknown>> {
  return arbitraryOf(eventSchema(type)) as fc.Arbitrary<Record<string, unknown>>;
}

export function arbitraryOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'object':
      return objectArbitrary(schema);
    case 'array': {
      const item = arbitraryOf(schema.items as JsonSchema);
      const minLength = (schema.minItems as number | undefined) ?? 0;
      // Mostly short (empty when allowed), sometimes long; shrinking heads for the short ones.
      return fc.oneof(
        { arbitrary: fc.array(item, { minLength, maxLength: minLength + 5 }), weight: 4 },
        { arbitrary: fc.array(item, LONG_ARRAY), weight: 1 },
      );
    }
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({
        min: (schema.minimum as number | undefined) ?? Number.MIN_SAFE_INTEGER,
        max: (schema.maximum as number | undefined) ?? Number.MAX_SAFE_INTEGER,
      });
    case 'number':
      return numberArbitrary(schema);
    case 'boolean':
      return fc.boolean();
    default:
      throw new Error(`schema-arbitrary: no generator for ${JSON.stringify(schema)}`);
  }
}

function objectArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  if (Object.keys(properties).length === 0 && typeof schema.additionalProperties === 'object') {
    // A free map (search filters, an alert's scope): unusual keys as well as values.
    return fc.dictionary(unusualText(1, 20), arbitraryOf(schema.additionalProperties as JsonSchema), { maxKeys: 6 });
  }
  const model = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, arbitraryOf(value)]));
  // Optional fields are left out as often as not: receivers must not assume them.
  return fc.record(model, { requiredKeys: (schema.required as string[] | undefined) ?? [] });
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'date-time':
      return dateTime();
    case 'date':
      return dateTime().map((t) => t.slice(0, 10));
    case 'uri':
      return fc.webUrl({ withQueryParameters: true, withFragments: true });
  }
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern, 'u'));
  return unusualText((schema.minLength as number | undefined) ?? 0, (schema.maxLength as number | undefined) ?? 40);
}

/**
 * Text from all of Unicode: whole graphemes (combining marks, emoji sequences), any code point
 * (astral planes, controls), and plain ASCII, which shrinking prefers.
 */
function unusualText(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }),
    fc.string({ unit: 'binary', minLength, maxLength }),
  );
}

/** ISO-8601 UTC between years 0 and 9999, with or without milliseconds. */
function dateTime(): fc.Arbitrary<string> {
  const date = fc.date({
    min: new Date('0000-01-01T00:00:00.000Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  });
  return fc
    .tuple(date, fc.boolean())
    .map(([d, millis]) => (millis ? d.toISOString() : d.toISOString().replace(/\.\d{3}Z$/, 'Z')));
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.minimum as number | undefined;
  const max = schema.maximum as number | undefined;
  // Whole numbers, fractions and extremes (1e308, 5e-324) alike; never NaN or infinity (not JSON).
  return fc
    .double({ min: min ?? -Number.MAX_VALUE, max: max ?? Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true })
    .map((n) => (Object.is(n, -0) ? 0 : n));
}
