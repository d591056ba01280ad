import type { CommandContext } from '../cli/context.js';
import { printJson, printLine } from '../cli/output.js';
import { formatTable } from '../format/display.js';
import { EVENT_CATALOGUE } from '../core/events.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { requireEventType } from './event-arguments.js';

export function listEvents(ctx: CommandContext): void {
  if (ctx.json) return printJson(ctx, EVENT_CATALOGUE);
  printLine(ctx, formatTable(['EVENT', 'CATEGORY', 'DESCRIPTION'], EVENT_CATALOGUE.map((e) => [e.type, e.category, e.description])));
}

export function showEvent(ctx: CommandContext, type: string): void {
  requireEventType(type);
  // The sample envelope is JSON already; print it as-is in both modes.
  printJson(ctx, loadSampleEnvelope(type));
}
