/** What every layer asks of a URL it is given: is it http(s), and is it on this machine. */

/** A URL that is not http(s): what was given and, in words, why it cannot be used. */
export interface HttpUrlProblem {
  value: string;
  /** e.g. `is not a URL`, `must be an http(s) URL, not ftp:` — to follow the name of the field or flag. */
  reason: string;
  /** The scheme it has instead (`ftp:`), or null when it is not a URL at all. */
  protocol: string | null;
  /** The URL meant, when the scheme was left out (`localhost:3001/webhook` → `http://localhost:3001/webhook`). */
  suggestion?: string;
}

/** `host:port/path` typed without a scheme reads as a URL whose scheme is the host. */
const SCHEMELESS = /^(localhost|[\d.]+|\[[\da-f:]+\]|[a-z\d-]+(\.[a-z\d-]+)+):\d+(\/\S*)?$/i;

/** `value` parsed as an http(s) URL, or the problem with it. Callers word the error for their user. */
export function parseHttpUrl(value: string): URL | HttpUrlProblem {
  const suggestion = SCHEMELESS.test(value) ? `http://${value}` : undefined;
  if (suggestion) return { value, reason: `"${value}" has no scheme`, protocol: null, suggestion };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { value, reason: `"${value}" is not a URL`, protocol: null };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { value, reason: `must be an http(s) URL, not ${url.protocol}`, protocol: url.protocol };
  return url;
}

/** 127.0.0.0/8, localhost (and *.localhost), ::1 — with or without the brackets a URL puts round IPv6. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}
