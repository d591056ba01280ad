/**
 * The doctor's probe: a valid delivery of a real event type whose bytes every common stack writes
 * back differently once it has parsed them — non-ASCII text (one character past the BMP), `/`,
 * `<` and `&`, floats written `89.990` and `1.0`, keys in no sorted order, nested objects, and a
 * trailing newline. So each way of re-serialising it gives other bytes, and another signature.
 * Pure: the sample envelope and its schema in, the value and its bytes out.
 */
import { type Envelope, webhookTimestamp } from '../core/payload.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { type JsonSchema, schemaAt } from '../schemas/event-schemas.js';
import { type JsonValue, WrittenNumber, writeAsWritten } from './json-stacks.js';

/** Appended to the first free-text field of the probe's data. */
export const PROBE_TEXT = ' · édition été <limitée> & co/2024 👗';

/** The event type probed unless `--event` names another: its sample has text and prices. */
export const DEFAULT_PROBE_EVENT = 'catalog.product.created';

export interface Probe {
  event: string;
  /** What the body says, its numbers with their written text. */
  value: JsonValue;
  /** The exact bytes sent: compact, numbers as written, a trailing newline. */
  body: Buffer;
}

// Fields whose values are codes a receiver may check, not text; and the text fields preferred.
const CODE_FIELD = /(^|_)(id|ids|sku|currency|hex|url|format|size|type|status|method|source|placement|version)$|_at$/;
const PROSE_FIELD = /^(name|query|description|message|reason|title)$/;

export function buildProbe(event: string, now = new Date()): Probe {
  const envelope: Envelope = { ...loadSampleEnvelope(event), timestamp: webhookTimestamp(now) };
  const data: Record<string, unknown> = { ...envelope.data };
  const texts = Object.keys(data).filter((k) => typeof data[k] === 'string' && !CODE_FIELD.test(k));
  const textField = texts.find((k) => PROSE_FIELD.test(k)) ?? texts[0];
  if (textField) data[textField] = `${data[textField] as string}${PROBE_TEXT}`;
  // A whole float (1.0) is what tells Python and Ruby from JavaScript, PHP and Go: an optional
  // number field the sample leaves out makes one, where the schema has such a field.
  const spare = optionalNumberField(event, data);
  if (spare) data[spare] = 1;
  const value = written({ ...envelope, data }, event, []);
  return { event, value, body: Buffer.from(`${writeAsWritten(value)}\n`, 'utf8') };
}

function optionalNumberField(event: string, data: Record<string, unknown>): string | undefined {
  const schema = schemaAt(event, ['data']);
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.keys(properties).find((k) => !required.has(k) && !(k in data) && properties[k]!.type === 'number');
}

/** `value` as a JsonValue; a number its schema calls a `number` (not an integer) is written as a float. */
function written(value: unknown, event: string, path: string[]): JsonValue {
  if (typeof value === 'number') {
    const text = JSON.stringify(value);
    if (schemaAt(event, path)?.type !== 'number' || /e/i.test(text)) return new WrittenNumber(value, text);
    return new WrittenNumber(value, Number.isInteger(value) ? `${text}.0` : `${text}0`);
  }
  if (Array.isArray(value)) return value.map((v, i) => written(v, event, [...path, String(i)]));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, written(v, event, [...path, k])]));
  return value as JsonValue;
}
