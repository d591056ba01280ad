/**
 * `listen`'s route table: which app each delivery is forwarded to, chosen by its event type.
 * `--forward-to PATTERN=URL` (repeatable; a bare URL is `*`) and `--routes FILE` (the same as
 * JSON, see schemas/routes.schema.json) build it; the first route whose glob matches wins.
 */
import { readFileSync } from 'node:fs';
import { matchesPattern } from '../core/event-pattern.js';
import { isLoopbackHost } from '../core/http-url.js';

export { matchesPattern };

import { fileSystemError, requireHttpUrl, UsageError } from '../errors.js';

export interface Route {
  /** A glob on the event type: `*` stands for any run of characters (dots included). */
  pattern: string;
  url: URL;
  /** How long this app may take before a 504; the `--forward-timeout` when not given. */
  timeoutMs?: number;
}

/** The first route that takes `event`, or undefined: listen answers that delivery itself. */
export function routeFor(routes: readonly Route[], event: string | null): Route | undefined {
  return routes.find((route) => matchesPattern(route.pattern, event));
}

/** `catalog.*=http://localhost:4001/hooks`, or a bare URL meaning `*`. */
export function parseRouteFlag(value: string, allowRemote: boolean): Route {
  const eq = value.indexOf('=');
  // A URL's query may hold '=': it is a pattern only when what precedes '=' has no '://'.
  const hasPattern = eq > 0 && !value.slice(0, eq).includes('://');
  const pattern = hasPattern ? value.slice(0, eq).trim() : '*';
  const url = parseForwardTarget(hasPattern ? value.slice(eq + 1).trim() : value, allowRemote);
  requirePattern(pattern, `--forward-to ${value}`);
  return { pattern, url };
}

/** Reads `--routes FILE`: `{"routes": [{"match": "catalog.*", "url": "…", "timeout_ms": 5000}]}`. */
export function loadRoutesFile(path: string, allowRemote: boolean): Route[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = fileSystemError(err, path, 'read', 'check the path given to --routes');
    throw new UsageError(e.message, e.hint);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `--routes ${path} is not valid JSON (${(err as Error).message})`,
      'see "Routes" in the README for the format',
    );
  }
  const list = (parsed as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(list) || list.length === 0)
    throw new UsageError(
      `--routes ${path} has no "routes" list`,
      'write {"routes": [{"match": "catalog.*", "url": "http://localhost:4001/hooks"}]}',
    );
  return list.map((entry: unknown, i) => {
    const where = `--routes ${path}: route ${i + 1}`;
    const {
      match,
      url,
      timeout_ms: timeoutMs,
    } = (entry ?? {}) as { match?: unknown; url?: unknown; timeout_ms?: unknown };
    if (typeof match !== 'string')
      throw new UsageError(`${where} has no "match" string`, 'e.g. "match": "catalog.*" (or "*" for every event)');
    if (typeof url !== 'string')
      throw new UsageError(`${where} has no "url" string`, 'e.g. "url": "http://localhost:4001/hooks"');
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) > 0))
      throw new UsageError(
        `${where}: "timeout_ms" must be a whole number of milliseconds above 0`,
        'e.g. "timeout_ms": 5000',
      );
    requirePattern(match, where);
    return {
      pattern: match,
      url: parseForwardTarget(url, allowRemote),
      ...(timeoutMs === undefined ? {} : { timeoutMs: timeoutMs as number }),
    };
  });
}

/**
 * Checks a route's URL (`--forward-to`, `--routes`) and returns it. Only this machine is a target unless
 * `allowRemote`: a receiver must not become an open relay for webhooks to anywhere.
 */
export function parseForwardTarget(value: string, allowRemote: boolean): URL {
  const url = requireHttpUrl(value, '--forward-to', 'http://localhost:8000/webhooks');
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `--forward-to ${url.host} is not on this machine`,
      'forward to localhost or 127.0.0.1, or pass --allow-remote-forward to send webhooks elsewhere',
    );
  }
  return url;
}

function requirePattern(pattern: string, where: string): void {
  if (!/^[A-Za-z0-9_.*-]+$/.test(pattern))
    throw new UsageError(
      `${where}: "${pattern}" is not an event pattern`,
      'use an event type, a glob such as catalog.* or customer.*.completed, or *',
    );
}
