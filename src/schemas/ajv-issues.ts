/**
 * ajv's errors as the tool words them (`SchemaIssue`): a path people read and a message that
 * names the rule. Pure, without ajv itself, so the inspector's page reads the errors of the
 * validators generated at build time exactly as `listen --validate` words its own.
 */
import type { ErrorObject } from 'ajv';
import type { SchemaIssue } from '../core/schema-issue.js';

/** One ajv error as a path people read (`data.items[0].sku`) and a message that names the rule. */
export function toIssue(error: ErrorObject): SchemaIssue {
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
