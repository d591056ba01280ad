/**
 * Judges a received delivery against the platform's rules (`listen --validate`): the envelope
 * the headers and body make together (a delivery id, a known event type, the header's event the
 * same as the body's) and the body against its type's schema (timestamp, `data` and its fields).
 */
import { isEventType } from '../core/events.js';
import type { SchemaIssue, SchemaVerdict } from '../core/schema-issue.js';
import type { EventValidator } from './event-validator.js';

export type ReceivedHeaders = Record<string, string | string[] | undefined>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `validator` is anything that checks a value against a type's schema: ajv at run time here, the
 * validators generated at build time in the inspector's page. Pure otherwise, so both judge alike.
 */
export function judgeDelivery(
  validator: Pick<EventValidator, 'validate'>,
  headers: ReceivedHeaders,
  body: Uint8Array,
): SchemaVerdict {
  const errors: SchemaIssue[] = [];
  const envelope = (path: string, message: string) => errors.push({ path, rule: 'envelope', message });
  const headerEvent = headerValue(headers, 'x-webhook-event');
  if (!headerValue(headers, 'x-webhook-delivery'))
    envelope('header X-Webhook-Delivery', 'is missing: every delivery carries a unique id receivers dedupe on');
  if (!headerEvent) envelope('header X-Webhook-Event', 'is missing');
  else if (!isEventType(headerEvent)) envelope('header X-Webhook-Event', `"${headerEvent}" is not a known event type`);

  const parsed = parseBody(body);
  if ('problem' in parsed) {
    envelope('body', parsed.problem);
    return { valid: false, errors };
  }
  const value = parsed.value;
  const bodyEvent =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { event?: unknown }).event
      : undefined;
  if (headerEvent && typeof bodyEvent === 'string' && bodyEvent !== headerEvent) {
    envelope('header X-Webhook-Event', `says ${headerEvent}, but the body's event is ${bodyEvent}`);
  }
  // The body names its own type; without a known one there, the header's type is the claim to check.
  const type =
    typeof bodyEvent === 'string' && isEventType(bodyEvent)
      ? bodyEvent
      : headerEvent && isEventType(headerEvent)
        ? headerEvent
        : undefined;
  if (type) errors.push(...validator.validate(type, value));
  else if (typeof bodyEvent === 'string')
    errors.push({ path: 'event', rule: 'enum', message: `"${bodyEvent}" is not a known event type` });
  else errors.push({ path: 'event', rule: 'required', message: 'is required' });
  return { valid: errors.length === 0, errors };
}

function parseBody(body: Uint8Array): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(utf8.decode(body)) as unknown };
  } catch {
    return {
      problem: body.length === 0 ? 'is empty; a delivery carries a JSON envelope' : 'is not a UTF-8 JSON document',
    };
  }
}

function headerValue(headers: ReceivedHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === '' ? undefined : first;
}
