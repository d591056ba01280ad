/**
 * A client of the platform's webhook API (or of `serve`, its emulator), with undici. Request
 * bodies are exactly the document's; answers are read tolerantly (`{data: …}` wrappers, bare
 * arrays, camelCase) as a real client must; every failure becomes a `UserError` that names the
 * cause and the next step.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { isSuccessStatus } from '../core/http-status.js';
import { UserError } from '../errors.js';
import { apiConnection } from './api-endpoint.js';
import { USER_AGENT } from '../version.cjs';
import { normaliseAttempt, normaliseWebhook, unwrapList, unwrapObject, type Attempt, type WebhookView } from './api-types.js';

export interface ClientOptions {
  /** The API's base URL, with or without its `/api/v1` suffix. */
  baseUrl: string;
  /** Without one, an API on this machine gets `dev` (see api-endpoint.ts). */
  token?: string;
  timeoutMs?: number;
}

/** `POST /api/v1/webhooks` body, exactly as the platform document shows it. */
export interface RegisterBody {
  url: string;
  events: string[];
  secret: string;
  active: boolean;
}

/** `PATCH /api/v1/webhooks/{id}` body: only the fields being changed. */
export interface UpdateBody {
  url?: string;
  events?: string[];
  secret?: string;
  active?: boolean;
  debug_mode?: boolean;
}

export interface ApiResponse<T> {
  /** The answer as the API sent it (for `--json`). */
  raw: unknown;
  value: T;
}

export const DEFAULT_API_TIMEOUT_MS = 10_000;

export class PlatformClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #defaultToken: boolean;
  readonly #timeoutMs: number;
  readonly #agent: Agent;

  constructor({ baseUrl, token, timeoutMs = DEFAULT_API_TIMEOUT_MS }: ClientOptions) {
    const connection = apiConnection(baseUrl, token);
    this.#base = connection.root;
    this.#token = connection.token;
    this.#defaultToken = connection.defaultToken;
    this.#timeoutMs = timeoutMs;
    this.#agent = new Agent({ connect: { timeout: timeoutMs } });
  }

  async registerWebhook(body: RegisterBody): Promise<ApiResponse<WebhookView>> {
    const raw = await this.#call('POST', 'api/v1/webhooks', body);
    return { raw, value: normaliseWebhook(unwrapObject(raw)) };
  }

  async listWebhooks(): Promise<ApiResponse<WebhookView[]>> {
    const raw = await this.#call('GET', 'api/v1/webhooks');
    return { raw, value: unwrapList(raw, 'webhooks').map(normaliseWebhook) };
  }

  async getWebhook(id: string): Promise<ApiResponse<WebhookView>> {
    const raw = await this.#call('GET', `api/v1/webhooks/${encodeURIComponent(id)}`, undefined, id);
    return { raw, value: normaliseWebhook(unwrapObject(raw)) };
  }

  async updateWebhook(id: string, body: UpdateBody): Promise<ApiResponse<WebhookView>> {
    const raw = await this.#call('PATCH', `api/v1/webhooks/${encodeURIComponent(id)}`, body, id);
    return { raw, value: normaliseWebhook(unwrapObject(raw)) };
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.#call('DELETE', `api/v1/webhooks/${encodeURIComponent(id)}`, undefined, id);
  }

  /** `POST /api/v1/webhooks/{id}/test` with `{"event": …}`. */
  async testWebhook(id: string, event: string): Promise<ApiResponse<Record<string, unknown>>> {
    const raw = await this.#call('POST', `api/v1/webhooks/${encodeURIComponent(id)}/test`, { event }, id);
    return { raw, value: unwrapObject(raw) };
  }

  async listDeliveries(id: string, filter: { status?: string; limit?: number } = {}): Promise<ApiResponse<Attempt[]>> {
    const query = new URLSearchParams();
    if (filter.status !== undefined) query.set('status', filter.status);
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    const suffix = query.size ? `?${query}` : '';
    const raw = await this.#call('GET', `api/v1/webhooks/${encodeURIComponent(id)}/deliveries${suffix}`, undefined, id);
    return { raw, value: unwrapList(raw, 'deliveries').map(normaliseAttempt) };
  }

  /** `POST /api/v1/events` (the emulator's): emit an event to every active subscriber. */
  async emitEvent(event: string, data?: Record<string, unknown>): Promise<unknown> {
    return this.#call('POST', 'api/v1/events', data === undefined ? { event } : { event, data });
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }

  async #call(method: Dispatcher.HttpMethod, path: string, body?: unknown, webhookId?: string): Promise<unknown> {
    const url = new URL(path, this.#base);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
    headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.body.text();
    } catch (err) {
      throw this.#networkError(err);
    }
    const parsed = parseJson(text);
    if (isSuccessStatus(response.statusCode)) return parsed;
    throw this.#answerError(response.statusCode, parsed, text, method, url, webhookId);
  }

  #networkError(err: unknown): UserError {
    const e = err as { name?: string; code?: string; cause?: { code?: string }; message?: string };
    const code = e.code ?? e.cause?.code;
    const where = this.#base.origin;
    if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new UserError(`the API at ${where} did not answer within ${this.#timeoutMs / 1000} s`, { hint: 'check that it is healthy, or raise --timeout', cause: err });
    }
    if (code === 'ECONNREFUSED') {
      return new UserError(`no API at ${where}`, { hint: 'start `webhooks-cli serve` or pass --api-url', cause: err });
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UserError(`cannot resolve the API host "${this.#base.hostname}"`, { hint: 'check --api-url', cause: err });
    return new UserError(`request to the API at ${where} failed: ${e.message ?? String(err)}`, { hint: 'check --api-url and your network', cause: err });
  }

  #answerError(status: number, parsed: unknown, text: string, method: string, url: URL, webhookId?: string): UserError {
    const detail = errorDetail(parsed);
    const said = detail.message ?? (text.trim().slice(0, 200) || undefined);
    switch (true) {
      case status === 401 || status === 403:
        return new UserError(`the API refused the token (${status}${said ? `: ${said}` : ''})`, {
          hint: !this.#defaultToken ? 'check --token (or WEBHOOKS_API_TOKEN / `config set token`)' : 'pass --token, set WEBHOOKS_API_TOKEN, or run `webhooks-cli config set token …`',
        });
      case status === 404 && webhookId !== undefined && detail.code !== 'not_found':
        return new UserError(`no webhook with id "${webhookId}"`, { hint: '`webhooks-cli list` shows the ids' });
      case status === 404:
        return new UserError(`the API at ${this.#base.origin} has no ${method} ${url.pathname}`, { hint: 'check --api-url points at the platform API (or `webhooks-cli serve`)' });
      case status === 409:
        // A disabled webhook's reason may already name the fix: give it once.
        return new UserError(`the API refused: ${said ?? 'conflict'}`, { hint: webhookId && !said?.includes('--active') ? `re-enable it with \`webhooks-cli update ${webhookId} --active\`` : undefined });
      case status === 413:
        return new UserError(`the API says the request is too large${said ? ` (${said})` : ''}`, { hint: 'send less data' });
      case status === 400 || status === 422:
        return new UserError(`the API rejected ${detail.field ? `field "${detail.field}"` : 'the request'}: ${said ?? `HTTP ${status}`}`, { hint: flagHint(detail.field) });
      case status >= 500:
        return new UserError(`the API failed with ${status}${said ? `: ${said}` : ''}`, { hint: 'try again in a moment; --verbose shows more' });
      default:
        return new UserError(`the API answered ${status}${said ? `: ${said}` : ''}`, { hint: 'check --api-url and the request' });
    }
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `{"error": {"code", "message", "field"}}`, or the common variants (`{"message"}`, `{"error": "…"}`). */
function errorDetail(parsed: unknown): { code?: string; message?: string; field?: string } {
  if (typeof parsed !== 'object' || parsed === null) return {};
  const body = parsed as Record<string, unknown>;
  const inner = typeof body.error === 'object' && body.error !== null ? (body.error as Record<string, unknown>) : body;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { code: str(inner.code), message: str(inner.message) ?? str(body.error) ?? str(body.detail), field: str(inner.field) ?? str(inner.param) };
}

function flagHint(field: string | undefined): string {
  const base = field?.replace(/\[\d+\]$/, '');
  switch (base) {
    case 'url': return 'fix --url (an http or https URL)';
    case 'events': return 'fix --events (webhooks-cli events list shows the types)';
    case 'event': return 'fix --event (webhooks-cli events list shows the types)';
    case 'secret': return 'fix --secret';
    case undefined: return 'check the flags';
    default: return `check the value sent as ${base}`;
  }
}
