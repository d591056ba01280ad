/** The OpenAPI 3.1 description of what the emulator serves (`GET /api/v1/openapi.json`). */
import { EVENT_CATALOGUE, EVENT_TYPES } from '../core/events.js';
import { eventSchema } from '../schemas/event-schemas.js';
import { VERSION } from '../version.js';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, ...json(ref('Error')) });
const idParameter = { name: 'webhook_id', in: 'path', required: true, schema: { type: 'string' } };
/** Lists come a page at a time (list-page.ts): `limit` and `cursor` in, the next page in the body and in `Link`. */
const pageParameters = (defaultLimit: number) => [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: defaultLimit },
    description: 'items per page',
  },
  {
    name: 'cursor',
    in: 'query',
    schema: { type: 'string' },
    description: 'the next_cursor of the previous page (opaque)',
  },
];
const page = (description: string, item: string) => ({
  description: `${description}, a page at a time: while has_more is true, ask again with cursor=next_cursor, or follow the Link header`,
  headers: {
    Link: {
      description: 'the next page, RFC 8288: `</api/v1/…?limit=…&cursor=…>; rel="next"` (absent on the last page)',
      schema: { type: 'string' },
    },
  },
  ...json({
    type: 'object',
    required: ['data', 'has_more', 'next_cursor'],
    properties: {
      data: { type: 'array', items: ref(item) },
      has_more: { type: 'boolean' },
      next_cursor: { type: ['string', 'null'] },
    },
  }),
});

/**
 * The event schemas (events schema <type>) as components, named by event type, without their
 * `$id`: inside this document they are reached by `$ref`. OpenAPI 3.1 schemas are JSON Schema 2020-12.
 */
function eventComponents(): Record<string, object> {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => {
      const { $schema: _dialect, $id: _id, ...schema } = eventSchema(type);
      return [type, schema];
    }),
  );
}

const deliveryHeaders = {
  'X-Webhook-Signature': {
    required: true,
    description: 'sha256=<hex HMAC-SHA256 of the raw body, keyed with the webhook secret>',
    schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' },
  },
  'X-Webhook-Event': {
    required: true,
    description: "the event type; the same as the body's `event`",
    schema: ref('EventType'),
  },
  'X-Webhook-Delivery': {
    required: true,
    description: 'unique per delivery, kept by its retries (dedupe on it)',
    schema: { type: 'string' },
  },
};

/** What the delivery engine POSTs to a subscriber, per event type (OpenAPI 3.1 `webhooks`). */
function webhookOperations(): Record<string, object> {
  return Object.fromEntries(
    EVENT_CATALOGUE.map(({ type, description }) => [
      type,
      {
        post: {
          summary: description,
          parameters: Object.entries(deliveryHeaders).map(([name, header]) => ({ name, in: 'header', ...header })),
          requestBody: { required: true, ...json(ref(type)) },
          responses: { '2XX': { description: 'Accepted; anything else is a failed attempt and is retried' } },
        },
      },
    ]),
  );
}

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fashion-catalog platform webhooks API (webhooks-cli emulator)',
      version: VERSION,
      description:
        'A local emulator of the platform webhook API, with the real delivery engine: signed deliveries, retries, automatic disabling. Bound to loopback (the default), it answers 403 `host_not_allowed` to any request whose Host is not 127.0.0.1, localhost or [::1] (a defence against DNS rebinding).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    webhooks: webhookOperations(),
    paths: {
      '/api/v1/webhooks': {
        get: {
          summary: 'List webhooks, oldest first',
          parameters: pageParameters(100),
          responses: {
            200: page('Webhooks', 'Webhook'),
            401: error('Missing or wrong token'),
            422: error('Bad limit or cursor'),
          },
        },
        post: {
          summary: 'Register a webhook',
          requestBody: { required: true, ...json(ref('WebhookCreate')) },
          responses: {
            201: {
              description: 'Created; the only answer that carries the whole secret',
              ...json({ allOf: [ref('Webhook'), { type: 'object', properties: { secret: { type: 'string' } } }] }),
            },
            400: error('Body is not a JSON object'),
            401: error('Missing or wrong token'),
            413: error('Body over 1 MiB'),
            422: error('Invalid field (named in error.field)'),
          },
        },
      },
      '/api/v1/webhooks/{webhook_id}': {
        parameters: [idParameter],
        get: {
          summary: 'Get a webhook',
          responses: {
            200: { description: 'The webhook', ...json(ref('Webhook')) },
            401: error('Missing or wrong token'),
            404: error('Unknown id'),
          },
        },
        patch: {
          summary: 'Update a webhook (only the fields given)',
          description:
            'With If-Match (an ETag from GET, or *), only if the webhook has not changed since: a read-modify-write then cannot undo a concurrent change.',
          parameters: [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } }],
          requestBody: { required: true, ...json(ref('WebhookUpdate')) },
          responses: {
            200: { description: 'The updated webhook, with its new ETag', ...json(ref('Webhook')) },
            400: error('Bad JSON'),
            401: error('Missing or wrong token'),
            404: error('Unknown id'),
            412: error('If-Match names another version: read it again and retry'),
            422: error('Invalid field'),
          },
        },
        delete: {
          summary: 'Delete a webhook, its pending deliveries and its attempts',
          responses: {
            204: { description: 'Deleted' },
            401: error('Missing or wrong token'),
            404: error('Unknown id'),
          },
        },
      },
      '/api/v1/webhooks/{webhook_id}/test': {
        parameters: [idParameter],
        post: {
          summary: 'Send a sample event to this webhook through the delivery engine; answers with the first attempt',
          requestBody: {
            required: true,
            ...json({ type: 'object', required: ['event'], properties: { event: ref('EventType') } }),
          },
          responses: {
            200: {
              description: 'First attempt made (retries follow the schedule if it failed)',
              ...json(ref('TestResult')),
            },
            202: { description: 'First attempt not finished within the wait', ...json(ref('TestResult')) },
            401: error('Missing or wrong token'),
            404: error('Unknown id'),
            409: error('Webhook disabled'),
            422: error('Unknown event type'),
          },
        },
      },
      '/api/v1/webhooks/{webhook_id}/deliveries': {
        parameters: [
          idParameter,
          {
            name: 'status',
            in: 'query',
            schema: { type: 'string', description: 'succeeded, failed, pending, skipped, or an HTTP status code' },
          },
          ...pageParameters(50),
        ],
        get: {
          summary: 'Delivery attempts, newest first (the next, pending attempt included)',
          responses: {
            200: page('Attempts', 'Attempt'),
            401: error('Missing or wrong token'),
            404: error('Unknown id'),
            422: error('Bad status, limit or cursor'),
          },
        },
      },
      '/api/v1/events': {
        post: {
          summary: 'Emit an event to every active webhook subscribed to it (emulator only)',
          requestBody: {
            required: true,
            ...json({
              type: 'object',
              required: ['event'],
              properties: {
                event: ref('EventType'),
                data: {
                  type: 'object',
                  description:
                    "defaults to the sample payload; the `data` of the event's schema (components.schemas.<event type>)",
                },
              },
            }),
          },
          responses: {
            202: {
              description: 'Deliveries queued',
              ...json({
                type: 'object',
                properties: {
                  event: ref('EventType'),
                  deliveries: {
                    type: 'array',
                    items: { type: 'object', properties: { id: { type: 'string' }, webhook_id: { type: 'string' } } },
                  },
                },
              }),
            },
            400: error('Bad JSON'),
            401: error('Missing or wrong token'),
            413: error('Body over 1 MiB'),
            422: error('Unknown event type'),
          },
        },
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        EventType: { type: 'string', enum: EVENT_TYPES },
        WebhookEvent: {
          description: 'Any delivery: the envelope of one event type',
          oneOf: EVENT_TYPES.map((type) => ref(type)),
        },
        ...eventComponents(),
        WebhookCreate: {
          type: 'object',
          required: ['url', 'events'],
          additionalProperties: false,
          properties: {
            url: { type: 'string', format: 'uri' },
            events: { type: 'array', minItems: 1, items: ref('EventType') },
            secret: { type: 'string', description: 'generated (whsec_…) when absent' },
            active: { type: 'boolean', default: true },
            debug_mode: { type: 'boolean', default: false },
          },
        },
        WebhookUpdate: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: {
            url: { type: 'string', format: 'uri' },
            events: { type: 'array', minItems: 1, items: ref('EventType') },
            secret: { type: 'string' },
            active: { type: 'boolean' },
            debug_mode: { type: 'boolean' },
          },
        },
        Webhook: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            url: { type: 'string' },
            events: { type: 'array', items: ref('EventType') },
            active: { type: 'boolean' },
            debug_mode: { type: 'boolean' },
            secret_hint: { type: 'string' },
            consecutive_failures: { type: 'integer' },
            disabled_reason: { type: ['string', 'null'] },
            disabled_at: { type: ['string', 'null'], format: 'date-time' },
            created_at: { type: 'string', format: 'date-time' },
            updated_at: { type: 'string', format: 'date-time' },
          },
        },
        Attempt: {
          type: 'object',
          properties: {
            id: { type: ['integer', 'null'] },
            delivery_id: { type: 'string' },
            webhook_id: { type: 'string' },
            event: ref('EventType'),
            attempt: { type: 'integer', minimum: 1, maximum: 6 },
            status: { enum: ['succeeded', 'failed', 'pending', 'skipped'] },
            timestamp: { type: 'string', format: 'date-time' },
            response_status: { type: ['integer', 'null'] },
            duration_ms: { type: ['number', 'null'] },
            error: { type: ['string', 'null'] },
            delivery_status: { enum: ['succeeded', 'failed', 'pending', 'skipped'] },
            duplicate: {
              type: 'boolean',
              description:
                'An attempt of a duplicate injected by serve --duplicates: the same delivery id, bytes and signature as an earlier delivery',
            },
            request: { type: 'object', description: 'debug mode only' },
            response: { type: 'object', description: 'debug mode only' },
          },
        },
        TestResult: {
          type: 'object',
          properties: {
            delivery_id: { type: 'string' },
            webhook_id: { type: 'string' },
            event: ref('EventType'),
            status: { type: 'string' },
            attempt: { type: ['object', 'null'] },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}
