/**
 * Where the API client sends its requests and which bearer token it sends, decided in one place
 * from `--api-url` and `--token` (or their environment variables and stored settings). Pure.
 */
import { UsageError } from '../errors.js';

/** The token sent to an API on this machine when none is configured; `serve` without --token accepts it. */
export const LOOPBACK_DEV_TOKEN = 'dev';

const API_PREFIX = /\/api\/v1\/?$/;

export interface ApiConnection {
  /** The API root, ending in `/`: request paths (`api/v1/…`) resolve against it. */
  root: URL;
  token: string;
  /** The token is the loopback default, not one the user configured. */
  defaultToken: boolean;
}

/**
 * The API root from a base URL given with or without its `/api/v1` suffix (`serve` prints the
 * URL with it), keeping any other base path such as https://host/platform.
 */
export function apiRoot(baseUrl: string): URL {
  let root: URL;
  try {
    root = new URL(baseUrl);
  } catch {
    throw new UsageError(`--api-url "${baseUrl}" is not a URL`, 'e.g. --api-url http://127.0.0.1:4010');
  }
  if (root.protocol !== 'http:' && root.protocol !== 'https:') throw new UsageError(`--api-url must be http(s), not ${root.protocol}`, 'e.g. --api-url http://127.0.0.1:4010');
  root.pathname = root.pathname.replace(API_PREFIX, '/');
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  root.search = '';
  root.hash = '';
  return root;
}

/** 127.0.0.0/8, localhost (and *.localhost), ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The API root and bearer token. Without a configured token, an API on this machine (the
 * emulator) gets `dev`; any other API is refused before a request is sent.
 */
export function apiConnection(baseUrl: string, token: string | undefined): ApiConnection {
  const root = apiRoot(baseUrl);
  if (token) return { root, token, defaultToken: false };
  if (isLoopbackHost(root.hostname)) return { root, token: LOOPBACK_DEV_TOKEN, defaultToken: true };
  throw new UsageError(`no API token for ${root.origin}`, 'pass --token, set WEBHOOKS_API_TOKEN, or run `webhooks-cli config set token …`');
}
