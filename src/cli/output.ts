/**
 * Printing: results to stdout, everything else (progress, notes, warnings) to stderr, so
 * `--json | jq` always works. How values read (colours, tables, durations) is in format/display.
 */
import { printableJson } from '../format/terminal-text.js';
import { proxyFor, proxyRouteLine, proxySettings } from '../http/proxy-settings.js';
import type { CommandContext } from './context.js';

export function printJson(ctx: Pick<CommandContext, 'stdout'>, value: unknown): void {
  ctx.stdout.write(`${printableJson(value, 2)}\n`);
}

export function printLine(ctx: Pick<CommandContext, 'stdout'>, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

export function logLine(ctx: Pick<CommandContext, 'stderr'>, line: string): void {
  ctx.stderr.write(`${line}\n`);
}

/** With --verbose, one line saying that requests to `target` go through a proxy (nothing when they go direct). */
export function noteProxyRoute(
  ctx: Pick<CommandContext, 'stderr' | 'verbose' | 'env'>,
  target: string | URL,
  what?: string,
): void {
  if (!ctx.verbose) return;
  const url = new URL(target);
  const route = proxyFor(url, proxySettings(ctx.env));
  if (route) logLine(ctx, proxyRouteLine(url, route, what));
}
