/**
 * A request as a curl command a shell runs as written: the method, the URL, every header that
 * describes the message (its signature included), and the body byte for byte. Text goes in single
 * quotes; a body that is not plain text (not UTF-8, or with control characters a terminal would
 * act on) travels as base64 through `base64 -d`, so the bytes signed are the bytes sent.
 */
import { isHopByHop } from './http-headers.js';

export interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/** The headers curl sets itself from the URL and the body: naming them again would send them twice. */
const SET_BY_CURL = new Set(['host', 'content-length', 'expect']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `'text'` for a POSIX shell: single quotes, a single quote written as `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand({ method, url, headers, body }: CurlRequest): string {
  const parts = ['curl', '-sS', '-X', method.toUpperCase(), shellQuote(url)];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name) || SET_BY_CURL.has(name.toLowerCase())) continue;
    for (const one of Array.isArray(value) ? value : [value]) parts.push('-H', shellQuote(`${name}: ${one}`));
  }
  if (body.length === 0) return parts.join(' ');
  const text = plainText(body);
  if (text !== undefined) return [...parts, '--data-binary', shellQuote(text)].join(' ');
  const base64 = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64');
  return `printf %s ${shellQuote(base64)} | base64 -d | ${[...parts, '--data-binary', '@-'].join(' ')}`;
}

/** The body as text when a shell and a terminal keep it as it is: UTF-8 without control characters but tab and newline. */
function plainText(body: Uint8Array): string | undefined {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters looked for
  return /[\x00-\x08\x0b-\x1f\x7f]/.test(text) ? undefined : text;
}
