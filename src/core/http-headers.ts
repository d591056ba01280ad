/** Which headers are passed on when a request or its answer is relayed. */

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), and content-length,
 * which whoever sends the bytes on sets again. Never passed on.
 *
 * `host` is not in the set: the relay hands a request to the listener with the Host the sender
 * used, so the history shows what was really received. Whoever opens a new connection to another
 * origin (`listen --forward-to`) drops it as well, and node names the new origin.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/** A header that belongs to the connection (or the framing), which whoever sends sets. */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/**
 * A copy of `headers` without hop-by-hop ones, those the `Connection` header names (RFC 9110
 * §7.6.1: a sender marks its own hop-by-hop headers that way), the lower-case names in
 * `alsoDrop`, or undefined values.
 */
export function endToEndHeaders(
  headers: Record<string, string | string[] | undefined>,
  alsoDrop: readonly string[] = [],
): Record<string, string | string[]> {
  const named = connectionOptions(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower) || alsoDrop.includes(lower)) continue;
    out[name] = value;
  }
  return out;
}

/** The header names listed in `Connection` (`Connection: close, X-Internal`), lower-case. */
function connectionOptions(headers: Record<string, string | string[] | undefined>): Set<string> {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'connection' || value === undefined) continue;
    for (const part of [value].flat().join(',').split(',')) if (part.trim()) names.add(part.trim().toLowerCase());
  }
  return names;
}
