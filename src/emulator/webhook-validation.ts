/**
 * Checks request bodies of the webhook endpoints, field by field, and turns them into typed
 * input. Pure; each problem is a 422 naming the field, so clients can point at the flag.
 */
import { EVENT_TYPES, isEventType, suggestEventTypes } from '../core/events.js';
import { parseHttpUrl } from '../core/http-url.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../core/json-depth.js';
import { ApiError, invalid } from './api-error.js';

export interface WebhookInput {
  url?: string;
  events?: string[];
  secret?: string;
  active?: boolean;
  debugMode?: boolean;
}

const FIELDS = ['url', 'events', 'secret', 'active', 'debug_mode'] as const;
const MAX_URL_LENGTH = 2048;
const MAX_SECRET_LENGTH = 256;

/** The body of `POST /api/v1/webhooks`: `url` and `events` required. */
export function parseCreateWebhook(body: unknown): WebhookInput & { url: string; events: string[] } {
  const input = parseWebhookFields(body);
  if (input.url === undefined) throw invalid('url', 'url is required');
  if (input.events === undefined) throw invalid('events', 'events is required: a list of event types');
  return input as WebhookInput & { url: string; events: string[] };
}

/** The body of `PATCH /api/v1/webhooks/{id}`: any of the fields, at least one. */
export function parseUpdateWebhook(body: unknown): WebhookInput {
  const input = parseWebhookFields(body);
  if (Object.keys(input).length === 0)
    throw new ApiError(422, 'nothing_to_update', `give at least one of ${FIELDS.join(', ')}`);
  return input;
}

/** The body of the test and emit endpoints: `{"event": type}` (emit may add `data`). */
export function parseEventRequest(
  body: unknown,
  { allowData }: { allowData: boolean },
): { event: string; data?: Record<string, unknown> } {
  const object = requireObject(body);
  for (const key of Object.keys(object)) {
    if (key !== 'event' && !(allowData && key === 'data'))
      throw invalid(key, `unknown field "${key}"; expected event${allowData ? ' and optionally data' : ''}`);
  }
  if (object.event === undefined) throw invalid('event', 'event is required');
  const event = requireEventType(object.event, 'event');
  if (object.data === undefined) return { event };
  if (typeof object.data !== 'object' || object.data === null || Array.isArray(object.data))
    throw invalid('data', 'data must be a JSON object');
  // Serialising data nested thousands deep would overflow the stack (a 500): refused first.
  if (nestsDeeperThan(object.data))
    throw invalid('data', `data is nested more than ${MAX_JSON_DEPTH} levels deep; no event payload needs that`);
  return { event, data: object.data as Record<string, unknown> };
}

function parseWebhookFields(body: unknown): WebhookInput {
  const object = requireObject(body);
  for (const key of Object.keys(object)) {
    if (!(FIELDS as readonly string[]).includes(key))
      throw invalid(key, `unknown field "${key}"; webhooks have ${FIELDS.join(', ')}`);
  }
  const input: WebhookInput = {};
  if (object.url !== undefined) input.url = requireUrl(object.url);
  if (object.events !== undefined) input.events = requireEvents(object.events);
  if (object.secret !== undefined) {
    if (typeof object.secret !== 'string' || object.secret.length === 0 || object.secret.length > MAX_SECRET_LENGTH) {
      throw invalid('secret', `secret must be a string of 1 to ${MAX_SECRET_LENGTH} characters`);
    }
    input.secret = object.secret;
  }
  if (object.active !== undefined) input.active = requireBoolean(object.active, 'active');
  if (object.debug_mode !== undefined) input.debugMode = requireBoolean(object.debug_mode, 'debug_mode');
  return input;
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'invalid_body', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function requireUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid('url', 'url must be a non-empty string');
  if (value.length > MAX_URL_LENGTH) throw invalid('url', `url is longer than ${MAX_URL_LENGTH} characters`);
  const url = parseHttpUrl(value);
  if (url instanceof URL) return value;
  if (url.protocol === null)
    throw invalid('url', `"${value}" is not a valid URL; expected e.g. https://example.com/webhook`);
  throw invalid('url', `url must use http or https, not ${url.protocol.replace(/:$/, '')}`);
}

function requireEvents(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid('events', 'events must be a non-empty list of event types');
  return [...new Set(value.map((v, i) => requireEventType(v, `events[${i}]`)))];
}

function requireEventType(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, `${field} must be an event type string`);
  if (isEventType(value)) return value;
  const near = suggestEventTypes(value);
  throw invalid(
    field,
    `unknown event type "${value}"${near.length ? ` — did you mean ${near.join(' or ')}?` : ''} (${EVENT_TYPES.length} types exist)`,
  );
}

function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(field, `${field} must be true or false`);
  return value;
}
