/**
 * The page's calls to its server. The access token comes in the printed URL (`?token=`); the page
 * keeps it for this tab (so a reload works) and takes it out of the address bar, then sends it
 * with every call: a header on fetches, the query on the live feed (EventSource sends no headers).
 */
import type { ErrorJson } from '../inspector/wire.js';

const KEY = 'webhooks-cli-inspector-token';

function takeToken(): string {
  const url = new URL(window.location.href);
  const given = url.searchParams.get('token');
  if (given) {
    sessionStorage.setItem(KEY, given);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return given;
  }
  return sessionStorage.getItem(KEY) ?? '';
}

export const token = takeToken();

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string | null,
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  const value = (await response.json().catch(() => ({}))) as T & Partial<ErrorJson>;
  if (!response.ok)
    throw new ApiError(
      response.status,
      value.error?.message ?? `the inspector answered ${response.status}`,
      value.error?.hint,
    );
  return value;
}

export async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(name, String(value));
  const response = await fetch(`${path}${query.size ? `?${query}` : ''}`, { headers: { 'x-inspector-token': token } });
  return answer<T>(response);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'x-inspector-token': token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return answer<T>(response);
}

export function liveUrl(query: string, after: number): string {
  return `/api/live?${new URLSearchParams({ q: query, after: String(after), token })}`;
}
