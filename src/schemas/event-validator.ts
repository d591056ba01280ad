/**
 * Validates envelopes against the event schemas with ajv (and ajv-formats for `date-time`,
 * `date`, `uri`). Heavy to load, so only commands that validate import this module. Each type's
 * validator is compiled the first time that type is checked.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formatsModule from 'ajv-formats';
import { isEventType } from '../core/events.js';
import type { SchemaIssue } from '../core/schema-issue.js';
import { toIssue } from './ajv-issues.js';
import { eventSchema } from './event-schemas.js';

export { readablePath } from './ajv-issues.js';

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
