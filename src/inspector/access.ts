/**
 * Who may use the inspector. Anything on this machine can reach a loopback port, and any web page
 * the developer opens can make their browser send requests to it, so:
 * - the `Host` must be an address the inspector is served on (a page on another site that made
 *   its own name resolve here — DNS rebinding — carries that name);
 * - every API call carries the run's token, which only the printed URL knows;
 * - a call that changes something (replay, edit, export) also comes from the inspector's own
 *   origin (`Origin`), as JSON, which a form on another site cannot send.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostAllowed } from '../http/host-check.js';

export const TOKEN_HEADER = 'x-inspector-token';

/** A fresh token for one run: 24 random bytes, URL-safe. */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

export interface Refusal {
  status: 403 | 415;
  message: string;
}

export interface AccessRules {
  token: string;
  /** The `Host` values this server answers (`allowedHosts`). */
  hosts: ReadonlySet<string>;
}

/** Why a request may not be answered, or undefined when it may. */
export function refusal(req: IncomingMessage, url: URL, rules: AccessRules): Refusal | undefined {
  if (!hostAllowed(req.headers.host, rules.hosts))
    return { status: 403, message: `Host "${req.headers.host ?? ''}" is not an address this inspector is served on` };
  if (!url.pathname.startsWith('/api/')) return undefined;
  // EventSource cannot send headers: the live feed alone takes the token in its query.
  const given = req.headers[TOKEN_HEADER] ?? (url.pathname === '/api/live' ? url.searchParams.get('token') : undefined);
  if (typeof given !== 'string' || !sameToken(given, rules.token))
    return { status: 403, message: 'missing or wrong access token: open the URL listen printed, token included' };
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const origin = req.headers.origin;
  if (origin?.toLowerCase() !== `http://${req.headers.host?.trim().toLowerCase()}`)
    return { status: 403, message: `a change must come from the inspector's own page (Origin ${origin ?? 'missing'})` };
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    return { status: 415, message: 'send JSON (Content-Type: application/json)' };
  return undefined;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
