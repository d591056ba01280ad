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

/** A copy of `headers` without hop-by-hop ones, the lower-case names in `alsoDrop`, or undefined values. */
export function endToEndHeaders(
  headers: Record<string, string | string[] | undefined>,
  alsoDrop: readonly string[] = [],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || alsoDrop.includes(lower)) continue;
    out[name] = value;
  }
  return out;
}
