/**
 * Where the API client sends its requests and which bearer token it sends, decided in one place
 * from `--api-url` and `--token` (or their environment variables and stored settings). Pure.
 */
import { isLoopbackHost } from '../core/http-url.js';
import { requireHttpUrl, UsageError } from '../errors.js';

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
  const root = requireHttpUrl(baseUrl, '--api-url', 'http://127.0.0.1:4010');
  root.pathname = root.pathname.replace(API_PREFIX, '/');
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  root.search = '';
  root.hash = '';
  return root;
}

/**
 * The API root and bearer token. Without a configured token, an API on this machine (the
 * emulator) gets `dev`; any other API is refused before a request is sent.
 */
export function apiConnection(baseUrl: string, token: string | undefined): ApiConnection {
  const root = apiRoot(baseUrl);
  if (token) return { root, token, defaultToken: false };
  if (isLoopbackHost(root.hostname)) return { root, token: LOOPBACK_DEV_TOKEN, defaultToken: true };
  throw new UsageError(
    `no API token for ${root.origin}`,
    'pass --token, set WEBHOOKS_API_TOKEN, or run `webhooks-cli config set token …`',
  );
}
