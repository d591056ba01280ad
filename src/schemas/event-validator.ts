/**
 * Validates envelopes against the event schemas with ajv (and ajv-formats for `date-time`,
 * `date`, `uri`). Heavy to load, so only commands that validate import this module. Each type's
 * validator is compiled the first time that type is checked.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formatsModule from 'ajv-formats';
import { isEventType } from '../core/events.js';
import type { SchemaIssue } from '../core/schema-issue.js';
import { eventSchema } from './event-schemas.js';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module object.
const addFormats = ((formatsModule as unknown as { default: unknown }).default ?? formatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

export class EventValidator {
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor() {
    // allErrors: a sender fixing a payload wants every problem at once, not one per try.
    this.#ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
  }

  /** What breaks `value` as an envelope of `type` (a known event type); empty when it is valid. */
  validate(type: string, value: unknown): SchemaIssue[] {
    if (!isEventType(type)) return [{ path: 'event', rule: 'enum', message: `"${type}" is not a known event type` }];
    let check = this.#compiled.get(type);
    if (!check) {
      check = this.#ajv.compile(eventSchema(type));
      this.#compiled.set(type, check);
    }
    return check(value) ? [] : (check.errors ?? []).map(toIssue);
  }
}

/** One ajv error as a path people read (`data.items[0].sku`) and a message that names the rule. */
function toIssue(error: ErrorObject): SchemaIssue {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  const leaf =
    error.keyword === 'required'
      ? params.missingProperty
      : error.keyword === 'additionalProperties'
        ? params.additionalProperty
        : undefined;
  if (typeof leaf === 'string') segments.push(leaf);
  return { path: readablePath(segments), rule: error.keyword, message: describe(error, params) };
}

function describe(error: ErrorObject, params: Record<string, unknown>): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a field the schema knows (check the spelling)';
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return params.pattern === 'Z$' ? 'must be in UTC, ending in Z' : `${error.message ?? 'does not match'}`;
    default:
      return error.message ?? `breaks the ${error.keyword} rule`;
  }
}

/** `["data", "items", "0", "sku"]` → `data.items[0].sku`; the envelope itself is `(envelope)`. */
export function readablePath(segments: readonly string[]): string {
  if (segments.length === 0) return '(envelope)';
  return segments.reduce((path, s, i) => (/^\d+$/.test(s) ? `${path}[${s}]` : i === 0 ? s : `${path}.${s}`), '');
}
