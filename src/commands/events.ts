import { readFileSync } from 'node:fs';
import type { CommandContext } from '../cli/context.js';
import type { EventsSchemaOptions, EventsTypesOptions } from '../cli/define-foundation.js';
import { printJson, printLine } from '../cli/output.js';
import { EVENT_CATALOGUE } from '../core/events.js';
import { fileSystemError, UsageError } from '../errors.js';
import { formatTable } from '../format/display.js';
import { packageFile } from '../package-files.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { eventSchema, eventSchemaBundle } from '../schemas/event-schemas.js';
import { requireEventType } from './event-arguments.js';

/** Where the build leaves the generated types (scripts/build.js). */
export const SHIPPED_TYPES = 'dist/webhook-events.ts';

export function listEvents(ctx: CommandContext): void {
  if (ctx.json) return printJson(ctx, EVENT_CATALOGUE);
  printLine(
    ctx,
    formatTable(
      ['EVENT', 'CATEGORY', 'DESCRIPTION'],
      EVENT_CATALOGUE.map((e) => [e.type, e.category, e.description]),
    ),
  );
}

export function showEvent(ctx: CommandContext, type: string): void {
  requireEventType(type);
  // The sample envelope is JSON already; print it as-is in both modes.
  printJson(ctx, loadSampleEnvelope(type));
}

/** `events schema <type>` or `events schema --all` (the bundle): JSON in both modes. */
export function printEventSchema(ctx: CommandContext, type: string | undefined, options: EventsSchemaOptions): void {
  if (options.all && type !== undefined)
    throw new UsageError(
      'name one event type or pass --all, not both',
      'e.g. webhooks-cli events schema --all > events.schema.json',
    );
  if (!options.all && type === undefined)
    throw new UsageError(
      'no event type given',
      'name one (webhooks-cli events list), or pass --all for every schema in one document',
    );
  if (type !== undefined) requireEventType(type);
  printJson(ctx, type === undefined ? eventSchemaBundle() : eventSchema(type));
}

/** `events types --lang typescript`: a module to save into the user's project. */
export function printEventTypes(ctx: CommandContext, options: EventsTypesOptions): void {
  if (options.lang !== 'typescript')
    throw new UsageError(`--lang ${options.lang} is not supported`, 'pass --lang typescript');
  ctx.stdout.write(readShippedTypes());
}

/**
 * The module `npm run build` generated from the schemas (src/schemas/typescript-types.ts): it
 * depends only on them, so the generator and its formatter stay out of the installed package.
 */
function readShippedTypes(): string {
  try {
    return readFileSync(packageFile(SHIPPED_TYPES), 'utf8');
  } catch (err) {
    throw fileSystemError(err, SHIPPED_TYPES, 'read', 'run npm run build to generate it');
  }
}
