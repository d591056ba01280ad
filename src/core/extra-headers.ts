/**
 * `trigger --header 'Name: value'` (repeatable), checked (pure): a header name is an RFC 9110
 * token, a value one line. The headers that make a delivery what it is — its signature, event,
 * delivery id and content type — are trigger's to set unless `--unsigned` says the caller sends
 * their own; the connection's headers (Content-Length, Connection, …) are never a flag's.
 */
import { UsageError } from '../errors.js';
import { isHopByHop } from './http-headers.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What node accepts in a header value: tab, visible ASCII, space, obs-text. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Set by trigger for a signed delivery (the platform document's headers). */
const SIGNED_DELIVERY_HEADERS: Record<string, string> = {
  'x-webhook-signature': 'X-Webhook-Signature',
  'x-webhook-event': 'X-Webhook-Event',
  'x-webhook-delivery': 'X-Webhook-Delivery',
  'content-type': 'Content-Type',
};

/** The `--header` flags as lower-case name → value (a repeated name's values joined with ", "). */
export function parseHeaderFlags(
  texts: readonly string[] = [],
  { unsigned }: { unsigned: boolean },
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const text of texts) {
    const colon = text.indexOf(':');
    const shown = text.length > 30 ? `${text.slice(0, 30)}…` : text;
    if (colon < 0)
      throw new UsageError(
        `--header "${shown}" has no colon`,
        "write it as 'Name: value', e.g. --header 'X-Tenant: acme'",
      );
    const name = text.slice(0, colon).trim();
    const value = text.slice(colon + 1).trim();
    if (!TOKEN.test(name))
      throw new UsageError(
        `--header "${shown}": "${name}" is not a header name`,
        'a name is letters, digits and - (no spaces), e.g. X-Tenant',
      );
    if (!VALUE.test(value))
      throw new UsageError(
        `--header ${name} has a control character (a line break?) in its value`,
        'give the value on one line',
      );
    const lower = name.toLowerCase();
    if (isHopByHop(lower))
      throw new UsageError(
        `--header cannot set ${name}: the connection's headers are set as the request is sent`,
        'drop that --header',
      );
    const signed = SIGNED_DELIVERY_HEADERS[lower];
    if (signed && !unsigned)
      throw new UsageError(
        `--header would override ${signed}, which trigger sets for a signed delivery`,
        `drop that --header, or pass --unsigned to send your own ${signed}`,
      );
    headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
  }
  return headers;
}
