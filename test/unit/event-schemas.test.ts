import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { loadSampleEnvelope } from '../../src/samples/sample-payloads.js';
import { judgeDelivery } from '../../src/schemas/delivery-verdict.js';
import { eventSchema, eventSchemaBundle } from '../../src/schemas/event-schemas.js';
import { EventValidator, readablePath } from '../../src/schemas/event-validator.js';

const validator = new EventValidator();

/** The three JSON examples of the platform document, from the repository's copy (test/unit/events.test.ts keeps it in step). */
function documentExamples(): { event: string }[] {
  const doc = readFileSync(
    new URL('../../fixtures/platform-doc/platform-webhooks-excerpt.md', import.meta.url),
    'utf8',
  );
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
  return blocks.filter((b): b is { event: string } => typeof b.event === 'string' && 'data' in b);
}

describe('event schemas', () => {
  it.each(EVENT_TYPES)('the %s sample validates', (type) => {
    expect(validator.validate(type, loadSampleEnvelope(type))).toEqual([]);
  });

  it("the platform document's three examples validate", () => {
    const examples = documentExamples();
    expect(examples.map((e) => e.event)).toEqual([
      'catalog.product.created',
      'search.query.performed',
      'recommendation.clicked',
    ]);
    for (const example of examples) expect(validator.validate(example.event, example)).toEqual([]);
  });

  it('every schema is draft 2020-12 and the bundle has $defs per type and a oneOf', () => {
    for (const type of EVENT_TYPES)
      expect(eventSchema(type)).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        properties: { event: { const: type } },
      });
    const bundle = eventSchemaBundle();
    expect(Object.keys(bundle.$defs as object)).toEqual(EVENT_TYPES);
    expect(bundle.oneOf).toHaveLength(16);
    // The bundle is a schema in its own right: any sample validates, a mutation does not.
    const check = new Ajv2020({ strict: false, validateFormats: false }).compile(bundle);
    for (const type of EVENT_TYPES) expect(check(loadSampleEnvelope(type))).toBe(true);
    expect(check({ ...loadSampleEnvelope('customer.cart.added'), event: 'catalog.product.created' })).toBe(false);
  });
});

describe('mutations are rejected, naming the path and the rule', () => {
  const created = () => loadSampleEnvelope('catalog.product.created');

  it('a wrong type', () => {
    const e = created();
    e.data.price = '89.99';
    expect(validator.validate('catalog.product.created', e)).toEqual([
      { path: 'data.price', rule: 'type', message: 'must be number' },
    ]);
  });

  it('a missing id field', () => {
    const e = created();
    delete e.data.product_id;
    expect(validator.validate('catalog.product.created', e)).toEqual([
      { path: 'data.product_id', rule: 'required', message: 'is required' },
    ]);
  });

  it('another event name', () => {
    expect(validator.validate('catalog.product.created', { ...created(), event: 'customer.cart.added' })).toEqual([
      { path: 'event', rule: 'const', message: 'must be "catalog.product.created"' },
    ]);
  });

  it('no data', () => {
    const { data: _data, ...rest } = created();
    expect(validator.validate('catalog.product.created', rest)).toEqual([
      { path: 'data', rule: 'required', message: 'is required' },
    ]);
  });

  it('a timestamp that is not ISO-8601 UTC, a misspelt field, a nested item', () => {
    const e = loadSampleEnvelope('customer.purchase.completed');
    (e.data.items as { quantity: unknown }[])[1]!.quantity = 0;
    const issues = validator.validate('customer.purchase.completed', {
      ...e,
      timestamp: '2023-12-01T10:41:20+01:00',
      data: { ...e.data, totl: 1 },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'timestamp', rule: 'pattern', message: 'must be in UTC, ending in Z' },
        {
          path: 'data.totl',
          rule: 'additionalProperties',
          message: 'is not a field the schema knows (check the spelling)',
        },
        { path: 'data.items[1].quantity', rule: 'minimum', message: 'must be >= 1' },
      ]),
    );
  });

  it('paths read as people write them', () => {
    expect(readablePath([])).toBe('(envelope)');
    expect(readablePath(['data', 'items', '0', 'sku'])).toBe('data.items[0].sku');
  });
});

describe('a received delivery: envelope and schema', () => {
  const headers = (event: string | undefined, id: string | null = 'dlv_1') => ({
    'x-webhook-event': event,
    'x-webhook-delivery': id ?? undefined,
  });
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('a good delivery is valid', () => {
    expect(
      judgeDelivery(validator, headers('customer.cart.added'), body(loadSampleEnvelope('customer.cart.added'))),
    ).toEqual({ valid: true, errors: [] });
  });

  it("the issue's delivery: every problem named", () => {
    const verdict = judgeDelivery(
      validator,
      headers('customer.cart.added', null),
      body({ event: 'catalog.product.created', timestamp: 'yesterday', data: [] }),
    );
    expect(verdict.valid).toBe(false);
    const lines = verdict.errors.map((e) => `${e.path}: ${e.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'header X-Webhook-Delivery: is missing: every delivery carries a unique id receivers dedupe on',
        "header X-Webhook-Event: says customer.cart.added, but the body's event is catalog.product.created",
        'timestamp: must match format "date-time"',
        'data: must be object',
      ]),
    );
  });

  it('unknown types, non-JSON bodies', () => {
    expect(
      judgeDelivery(
        validator,
        headers('order.shipped'),
        body({ event: 'order.shipped', timestamp: '2023-12-01T10:30:00Z', data: {} }),
      ).errors.map((e) => e.path),
    ).toEqual(['header X-Webhook-Event', 'event']);
    expect(judgeDelivery(validator, headers('customer.cart.added'), Buffer.from('not json')).errors).toEqual([
      { path: 'body', rule: 'envelope', message: 'is not a UTF-8 JSON document' },
    ]);
  });
});

describe("the emulator's OpenAPI document refers to the event schemas", () => {
  it('each event is a webhook whose body is a $ref to its schema, the same schema events schema prints', async () => {
    const { openApiDocument } = await import('../../src/emulator/openapi.js');
    const doc = openApiDocument() as {
      webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }>;
      components: { schemas: Record<string, Record<string, unknown>> };
    };
    expect(Object.keys(doc.webhooks)).toEqual(EVENT_TYPES);
    for (const type of EVENT_TYPES) {
      const target = doc.webhooks[type]!.post.requestBody.content['application/json']!.schema.$ref;
      expect(target).toBe(`#/components/schemas/${type}`);
      const { $schema: _s, $id: _i, ...expected } = eventSchema(type);
      expect(doc.components.schemas[type]).toEqual(expected);
    }
    expect((doc.components.schemas.WebhookEvent!.oneOf as unknown[]).length).toBe(16);
  });
});
