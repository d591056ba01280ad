import { UsageError } from '../errors.js';

/** The URL a flag names, normalised; anything but http(s) is a usage error naming the flag. */
export function requireHttpUrl(value: string, flag: string): string {
  const example = `e.g. ${flag} http://127.0.0.1:3000/webhook`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} "${value}" is not a URL`, example);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be an http(s) URL, not ${url.protocol}`, example);
  return url.toString();
}
