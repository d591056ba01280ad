/**
 * The scenario file format (see schemas/scenario.schema.json and the README): steps of
 * `{ "event", "set", "repeat" }` with `{{variable}}` references to generated ids. Parsing checks
 * everything that can be checked without the sample payloads, and names the step and the field.
 */
import { closestMatches, EVENT_TYPES, isEventType, suggestEventTypes } from '../core/events.js';

export interface ScenarioStep {
  event: string;
  /** Dotted payload paths (as `trigger --set`) and the JSON values to put there. */
  set: Record<string, unknown>;
  /** Sent this many times in a row. */
  repeat: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Variable name → id prefix: `product: "prod"` gives `prod_` and 12 hex digits. */
  variables: Record<string, string>;
  steps: ScenarioStep[];
}

/** A scenario that cannot be sent, with where (`step 2, "event"`) and how to fix it. */
export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly where: string | undefined,
    readonly problem: string,
    readonly hint?: string,
  ) {
    super(`scenario ${source}${where ? `, ${where}` : ''}: ${problem}`);
    this.name = 'ScenarioError';
  }
}

export const MAX_REPEAT = 10_000;
const STEP_FIELDS = ['event', 'set', 'repeat'];
const TOP_FIELDS = ['$schema', 'name', 'description', 'variables', 'steps'];
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ID_PREFIX = /^[a-z][a-z0-9]*$/;
/** `{{product}}`, `{{n}}`, `{{count:catalog.product.created}}`. */
export const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Parses and checks a scenario file's text; `source` names it in errors, `fallbackName` if it has no name. */
export function parseScenario(text: string, source: string, fallbackName: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(
      source,
      undefined,
      `not valid JSON (${(err as Error).message})`,
      'fix the JSON; `webhooks-cli scenarios show product-lifecycle` prints an example',
    );
  }
  const fail: Fail = (where, problem, hint) => {
    throw new ScenarioError(source, where, problem, hint);
  };
  if (!isObject(json))
    return fail(undefined, 'must be a JSON object with "steps"', 'see `webhooks-cli scenarios show product-lifecycle`');
  const unknownTop = Object.keys(json).find((k) => !TOP_FIELDS.includes(k));
  if (unknownTop)
    fail(
      `"${unknownTop}"`,
      'unknown field',
      `a scenario has ${TOP_FIELDS.slice(1).join(', ')}${nearHint(unknownTop, TOP_FIELDS)}`,
    );
  const name = json.name ?? fallbackName;
  if (json.name !== undefined && (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(name)))
    fail('"name"', 'must be lower-case letters, digits and dashes', 'e.g. "name": "checkout-flow"');
  const description = json.description ?? '';
  if (typeof description !== 'string') fail('"description"', 'must be a string');
  const variables = parseVariables(json.variables, fail);
  if (!Array.isArray(json.steps) || json.steps.length === 0) {
    fail(
      '"steps"',
      json.steps === undefined ? 'is missing' : 'must be a non-empty array',
      'list the deliveries in order, e.g. "steps": [{ "event": "catalog.product.created" }]',
    );
  }
  const steps = (json.steps as unknown[]).map((raw, i) => parseStep(raw, `step ${i + 1}`, variables, fail));
  return { name: name as string, description: description as string, variables, steps };
}

type Fail = (where: string | undefined, problem: string, hint?: string) => never;

function parseVariables(raw: unknown, fail: Fail): Record<string, string> {
  if (raw === undefined) return {};
  if (!isObject(raw))
    return fail('"variables"', 'must be an object of name: id prefix', 'e.g. "variables": { "product": "prod" }');
  for (const [name, prefix] of Object.entries(raw)) {
    if (!VARIABLE_NAME.test(name) || name === 'n')
      fail(
        `variables."${name}"`,
        'is not a usable variable name',
        'use letters, digits and _ (and not "n", which is the repetition number)',
      );
    if (typeof prefix !== 'string' || !ID_PREFIX.test(prefix))
      fail(
        `variables."${name}"`,
        `must be an id prefix such as "prod" (got ${JSON.stringify(prefix)})`,
        'lower-case letters and digits; the id is the prefix, _ and 12 hex digits',
      );
  }
  return raw as Record<string, string>;
}

function parseStep(raw: unknown, where: string, variables: Record<string, string>, fail: Fail): ScenarioStep {
  if (!isObject(raw))
    return fail(where, 'must be an object such as { "event": "catalog.product.created", "set": { … } }');
  const unknown = Object.keys(raw).find((k) => !STEP_FIELDS.includes(k));
  if (unknown)
    fail(
      `${where}, "${unknown}"`,
      'unknown field',
      `a step has ${STEP_FIELDS.join(', ')}${nearHint(unknown, STEP_FIELDS)}`,
    );
  const { event, set = {}, repeat = 1 } = raw;
  if (event === undefined)
    fail(`${where}, "event"`, 'is missing', 'name the event type, e.g. "event": "catalog.product.created"');
  if (typeof event !== 'string' || !isEventType(event)) {
    const near = typeof event === 'string' ? suggestEventTypes(event) : [];
    fail(
      `${where}, "event"`,
      `unknown event type ${JSON.stringify(event)}`,
      near.length ? `did you mean ${near.join(' or ')}?` : `webhooks-cli events list shows all ${EVENT_TYPES.length}`,
    );
  }
  if (!isObject(set)) fail(`${where}, "set"`, 'must be an object of "path": value', 'e.g. "set": { "data.price": 10 }');
  for (const [path, value] of Object.entries(set as Record<string, unknown>)) {
    if (path.split('.').some((segment) => segment === ''))
      fail(`${where}, "set"."${path}"`, 'is not a dotted path', 'e.g. "data.attributes.color"');
    checkReferences(value, variables, (problem, hint) => fail(`${where}, "set"."${path}"`, problem, hint));
  }
  if (!Number.isInteger(repeat) || (repeat as number) < 1 || (repeat as number) > MAX_REPEAT) {
    fail(`${where}, "repeat"`, `must be a whole number from 1 to ${MAX_REPEAT} (got ${JSON.stringify(repeat)})`);
  }
  return { event: event as string, set: set as Record<string, unknown>, repeat: repeat as number };
}

/** Every `{{…}}` in the strings of `value` must name a variable, `n` or `count:EVENT`. */
function checkReferences(
  value: unknown,
  variables: Record<string, string>,
  fail: (problem: string, hint?: string) => never,
): void {
  if (typeof value === 'string') {
    for (const [, ref] of value.matchAll(REFERENCE)) {
      const name = ref!;
      if (name === 'n' || Object.hasOwn(variables, name)) continue;
      if (name.startsWith('count:')) {
        const type = name.slice('count:'.length);
        if (isEventType(type)) continue;
        const near = suggestEventTypes(type);
        fail(
          `{{${name}}} counts an unknown event type`,
          near.length
            ? `did you mean {{count:${near[0]}}}?`
            : 'use {{count:EVENT}} with one of `webhooks-cli events list`',
        );
      }
      const declared = Object.keys(variables);
      const near = closestMatches(name, declared, 1);
      fail(
        `unknown variable {{${name}}}`,
        near.length
          ? `did you mean {{${near[0]}}}?`
          : declared.length
            ? `declared: ${declared.join(', ')}; or declare it in "variables"`
            : 'declare it in "variables", e.g. { "product": "prod" }',
      );
    }
  } else if (Array.isArray(value)) {
    for (const item of value) checkReferences(item, variables, fail);
  } else if (isObject(value)) {
    for (const item of Object.values(value)) checkReferences(item, variables, fail);
  }
}

function nearHint(input: string, candidates: readonly string[]): string {
  const near = closestMatches(input, candidates, 1);
  return near.length ? ` — did you mean "${near[0]}"?` : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
