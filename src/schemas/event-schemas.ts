/**
 * The JSON Schema (draft 2020-12) of every event's whole envelope: the one source of truth for
 * `events schema`, the emulator's OpenAPI document, the TypeScript types, validation (`listen
 * --validate`, `trigger`) and fuzzing (`smoke --fuzz`). Pure data, no validator: loading it is
 * cheap, so `trigger` can read it without ajv.
 *
 * Every sample in fixtures/events/ and the platform document's three examples validate (tests).
 * Objects are closed (`additionalProperties: false`) so a misspelt field is caught; the optional
 * properties are the fields a sender may add (`trigger --set` may add them too). Maps whose keys
 * are free (search filters, an alert's scope) say so with `additionalProperties`.
 */
import { EVENT_CATALOGUE, findEvent } from '../core/events.js';

export type JsonSchema = { [keyword: string]: unknown };

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

// The building blocks, so one rule reads the same in every event.
const text: JsonSchema = { type: 'string', minLength: 1 };
const id = (prefix: string, description?: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  description: description ?? `e.g. ${prefix}_12345`,
});
const dateTime: JsonSchema = { type: 'string', format: 'date-time', description: 'ISO-8601' };
const date: JsonSchema = { type: 'string', format: 'date' };
const money: JsonSchema = { type: 'number', minimum: 0 };
const currency: JsonSchema = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. USD' };
const count: JsonSchema = { type: 'integer', minimum: 0 };
const share: JsonSchema = { type: 'number', minimum: 0, maximum: 1 };
const texts: JsonSchema = { type: 'array', items: text };
const textMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

/** A closed object: `required` fields, then the optional ones. */
function object(required: Record<string, JsonSchema>, optional: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    required: Object.keys(required),
    properties: { ...required, ...optional },
    additionalProperties: false,
  };
}

const productAttributes = object(
  {},
  { color: text, size: texts, material: text, style: text, pattern: text, fit: text, season: text },
);
const lineItem = object(
  { product_id: id('prod'), quantity: { type: 'integer', minimum: 1 }, unit_price: money },
  { sku: text, size: text, color: text, name: text },
);

/** The `data` object of each event type. */
const DATA: Record<string, JsonSchema> = {
  'catalog.product.created': object(
    { product_id: id('prod'), sku: text, name: text, category: text, price: money, currency, created_at: dateTime },
    {
      brand: text,
      attributes: productAttributes,
      description: { type: 'string' },
      images: { type: 'array', items: { type: 'string', format: 'uri' } },
      compare_at_price: money,
    },
  ),
  'catalog.product.updated': object(
    {
      product_id: id('prod'),
      sku: text,
      quantity: count,
      changed_fields: { ...texts, minItems: 1 },
      updated_at: dateTime,
    },
    {
      name: text,
      category: text,
      price: money,
      currency,
      previous: object({}, { price: money, quantity: count, name: text, category: text }),
    },
  ),
  'catalog.product.deleted': object({ product_id: id('prod'), sku: text, deleted_at: dateTime }, { reason: text }),
  'catalog.product.enriched': object(
    {
      product_id: id('prod'),
      enrichment: object(
        { tags: texts },
        {
          colors: {
            type: 'array',
            items: object({ name: text }, { hex: { type: 'string', pattern: '^#[0-9A-Fa-f]{6}$' }, share }),
          },
          pattern: text,
          occasion: texts,
          season: text,
          generated_description: { type: 'string' },
        },
      ),
      model_version: text,
      enriched_at: dateTime,
    },
    { sku: text, confidence: share },
  ),
  'catalog.bulk.import.completed': object({
    import_id: id('imp'),
    source: text,
    total_rows: count,
    products_created: count,
    products_updated: count,
    products_failed: count,
    errors: { type: 'array', items: object({ row: { type: 'integer', minimum: 1 }, message: text }, { sku: text }) },
    started_at: dateTime,
    completed_at: dateTime,
  }),
  'search.query.performed': object(
    { query: { type: 'string' }, results_count: count, search_duration_ms: { type: 'number', minimum: 0 } },
    { customer_id: id('cust', 'absent for a guest'), filters_applied: textMap, session_id: text },
  ),
  'search.zero_results': object(
    { query: { type: 'string' }, results_count: { const: 0 }, search_duration_ms: { type: 'number', minimum: 0 } },
    {
      customer_id: id('cust', 'absent for a guest'),
      filters_applied: textMap,
      suggested_queries: texts,
      session_id: text,
    },
  ),
  'recommendation.shown': object(
    {
      customer_id: id('cust'),
      recommendation_type: text,
      placement: text,
      products: {
        type: 'array',
        items: object({ product_id: id('prod'), position: { type: 'integer', minimum: 1 } }, { score: share }),
      },
    },
    { source_product_id: id('prod') },
  ),
  'recommendation.clicked': object(
    {
      customer_id: id('cust'),
      recommended_product_id: id('prod'),
      recommendation_type: text,
      position: { type: 'integer', minimum: 1 },
    },
    { source_product_id: id('prod') },
  ),
  'customer.product.viewed': object(
    { customer_id: id('cust'), product_id: id('prod') },
    { sku: text, session_id: text, referrer: text, device: text, view_duration_ms: count },
  ),
  'customer.product.favorited': object(
    { customer_id: id('cust'), product_id: id('prod') },
    { wishlist_id: text, price: money, currency, size: text, color: text },
  ),
  'customer.cart.added': object(
    {
      customer_id: id('cust'),
      cart_id: id('cart'),
      product_id: id('prod'),
      quantity: { type: 'integer', minimum: 1 },
      unit_price: money,
      currency,
    },
    { sku: text, size: text, color: text, cart_total: money },
  ),
  'customer.purchase.completed': object(
    {
      order_id: id('ord'),
      customer_id: id('cust'),
      items: { type: 'array', items: lineItem, minItems: 1 },
      subtotal: money,
      total: money,
      currency,
      completed_at: dateTime,
    },
    { shipping: money, tax: money, discount: money, payment_method: text },
  ),
  'analytics.report.generated': object(
    {
      report_id: id('rpt'),
      report_type: text,
      period: object({ start: date, end: date }),
      format: text,
      download_url: { type: 'string', format: 'uri' },
    },
    { expires_at: dateTime, summary: object({}, { orders: count, revenue: money, currency, top_category: text }) },
  ),
  'analytics.trend.detected': object(
    {
      trend_id: id('trd'),
      name: text,
      category: text,
      growth_rate: { type: 'number' },
      window_days: { type: 'integer', minimum: 1 },
      confidence: share,
    },
    {
      attributes: object({}, { material: text, colors: texts, style: text, pattern: text }),
      sample_product_ids: { type: 'array', items: id('prod') },
    },
  ),
  'analytics.threshold.exceeded': object(
    {
      alert_id: id('alr'),
      metric: text,
      threshold: { type: 'number' },
      value: { type: 'number' },
      comparison: { enum: ['greater_than', 'less_than'] },
      window_minutes: { type: 'integer', minimum: 1 },
    },
    { scope: textMap },
  ),
};

/** Where a schema says it lives: a stable name, not a URL anyone has to serve. */
export function schemaId(type: string): string {
  return `urn:webhooks-cli:event:${type}`;
}

/** The envelope schema of one known event type. */
export function eventSchema(type: string): JsonSchema {
  const definition = findEvent(type);
  const data = DATA[type];
  if (!definition || !data) throw new Error(`no schema for event type ${type}`);
  return {
    $schema: SCHEMA_DIALECT,
    $id: schemaId(type),
    title: `${type} event`,
    description: definition.description,
    type: 'object',
    required: ['event', 'timestamp', 'data'],
    additionalProperties: false,
    properties: {
      event: { const: type },
      timestamp: { type: 'string', format: 'date-time', pattern: 'Z$', description: 'ISO-8601 UTC, ending in Z' },
      data: { title: `${type} data`, ...data },
    },
  };
}

/** Every event's schema in one document: `$defs` by event type, and a `oneOf` over them. */
export function eventSchemaBundle(): JsonSchema {
  const defs = Object.fromEntries(EVENT_CATALOGUE.map(({ type }) => [type, eventSchema(type)]));
  return {
    $schema: SCHEMA_DIALECT,
    $id: 'urn:webhooks-cli:events',
    title: 'webhook event',
    description: 'Any delivery of the fashion-catalog platform: the envelope of one of its event types.',
    oneOf: EVENT_CATALOGUE.map(({ type }) => ({ $ref: `#/$defs/${type}` })),
    $defs: defs,
  };
}

/**
 * Whether the schema of `type` has a place for the field at `path` (`["data", "brand"]`): a
 * declared property, an entry of a free map, or an array item. `trigger --set` may add such a
 * field when the sample lacks it.
 */
export function schemaDeclaresField(type: string, path: readonly string[]): boolean {
  return schemaAt(type, path) !== undefined;
}

/** The schema of the field at `path` in an envelope of `type`, or undefined where it has none. */
export function schemaAt(type: string, path: readonly string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = findEvent(type) ? eventSchema(type) : undefined;
  for (const segment of path) {
    if (!node) return undefined;
    const properties = node.properties as Record<string, JsonSchema> | undefined;
    if (properties && Object.hasOwn(properties, segment)) node = properties[segment];
    else if (node.type === 'array' && /^\d+$/.test(segment)) node = node.items as JsonSchema | undefined;
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties as JsonSchema;
    else return undefined;
  }
  return node;
}
