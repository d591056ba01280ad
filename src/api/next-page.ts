/**
 * Where the next page of a list answer is, as hosted APIs say it (pure): a `Link` header with
 * `rel="next"` (RFC 8288), a body's `next` URL, or `has_more` with `next_cursor` (sent back as
 * `?cursor=`). Relative references resolve against the page that named them.
 */

/** The `rel="next"` target of a Link header, resolved against `base`. */
export function nextFromLinkHeader(header: string | string[] | undefined, base: URL): URL | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  if (!text) return undefined;
  // Each link-value is `<URI>` followed by `;`-separated params; a URI may hold commas, so match the brackets.
  for (const match of text.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return resolve(match[1]!, base);
  }
  return undefined;
}

/** The next page a list body names: its `next` URL, or `has_more` + `next_cursor`. */
export function nextFromBody(body: unknown, current: URL): URL | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const o = body as Record<string, unknown>;
  const links = typeof o.links === 'object' && o.links !== null ? (o.links as Record<string, unknown>) : {};
  const next = o.next ?? links.next;
  if (typeof next === 'string' && next !== '') return resolve(next, current);
  const cursor = o.next_cursor ?? o.nextCursor;
  if (
    (o.has_more === true || o.hasMore === true) &&
    (typeof cursor === 'string' || typeof cursor === 'number') &&
    cursor !== ''
  ) {
    const url = new URL(current);
    url.searchParams.set('cursor', String(cursor));
    return url;
  }
  return undefined;
}

export function nextPage(linkHeader: string | string[] | undefined, body: unknown, current: URL): URL | undefined {
  return nextFromLinkHeader(linkHeader, current) ?? nextFromBody(body, current);
}

function resolve(reference: string, base: URL): URL | undefined {
  try {
    return new URL(reference, base);
  } catch {
    return undefined;
  }
}
