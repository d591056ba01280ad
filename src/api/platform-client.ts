/**
 * A client of the platform's webhook API (or of `serve`, its emulator), with undici. Request
 * bodies are exactly the document's; answers are read tolerantly (`{data: …}` wrappers, bare
 * arrays, camelCase) as a real client must; every failure becomes a `UserError` that names the
 * cause and the next step.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';
import { isSuccessStatus } from '../core/http-status.js';
import { UserError } from '../errors.js';
import { formatLimit } from '../format/display.js';
import { outgoingDispatcher } from '../http/outgoing-dispatcher.js';
import {
  type ProxyRoute,
  proxyFault,
  proxyFor,
  proxyProblem,
  proxyRouteLine,
  proxySettings,
} from '../http/proxy-settings.js';
import { USER_AGENT } from '../version.js';
import { apiConnection } from './api-endpoint.js';
import {
  type Attempt,
  normaliseAttempt,
  normaliseWebhook,
  unwrapList,
  unwrapObject,
  type WebhookView,
} from './api-types.js';
import { nextPage } from './next-page.js';
import { isConnectionReset, resendAfterReset, retryAfterAnswer } from './transient-failure.js';

export interface ClientOptions {
  /** The API's base URL, with or without its `/api/v1` suffix. */
  baseUrl: string;
  /** Without one, an API on this machine gets `dev` (see api-endpoint.ts). */
  token?: string;
  timeoutMs?: number;
  /** One line per retry (a Retry-After waited out, a reset GET sent again): the command prints it on stderr. */
  notice?: (line: string) => void;
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the requests (http/outgoing-dispatcher.ts). */
  env?: NodeJS.ProcessEnv;
  /** Say on `notice` when requests go through a proxy. */
  verbose?: boolean;
  /** How long to sleep before a retry (tests pass a recording one). */
  sleep?: (ms: number) => Promise<void>;
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
  /** The ETag the API gave the resource, if it gives them (the emulator does). */
  etag?: string;
}

/** A `PATCH` with `If-Match` answered 412: the resource changed after it was read. */
export class ChangedMeanwhileError extends UserError {}

/** How many times a read-modify-write is tried while others keep changing the same webhook. */
const MODIFY_ATTEMPTS = 20;

/** A list gathered over pages: `raw` is the one page's answer, or `{data: [...]}` over several. */
export interface ListResponse<T> extends ApiResponse<T[]> {
  /** The API had more than `limit` items (or pages): only the first `limit` were read. */
  more: boolean;
}

/** Pages read for one list, at most: a guard against an API that links a page to itself. */
const MAX_PAGES = 1000;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

export const DEFAULT_API_TIMEOUT_MS = 10_000;

export class PlatformClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #defaultToken: boolean;
  readonly #timeoutMs: number;
  readonly #agent: Dispatcher;
  readonly #notice: (line: string) => void;
  readonly #sleep: (ms: number) => Promise<void>;

  readonly #proxy: ProxyRoute | undefined;

  constructor({
    baseUrl,
    token,
    timeoutMs = DEFAULT_API_TIMEOUT_MS,
    notice = () => undefined,
    env = {},
    verbose = false,
    sleep = defaultSleep,
  }: ClientOptions) {
    const connection = apiConnection(baseUrl, token);
    this.#base = connection.root;
    this.#token = connection.token;
    this.#defaultToken = connection.defaultToken;
    this.#timeoutMs = timeoutMs;
    this.#agent = outgoingDispatcher(env, { connect: { timeout: timeoutMs } });
    this.#proxy = proxyFor(this.#base, proxySettings(env));
    if (verbose && this.#proxy) notice(proxyRouteLine(this.#base, this.#proxy));
    this.#notice = notice;
    this.#sleep = sleep;
  }

  async registerWebhook(body: RegisterBody): Promise<ApiResponse<WebhookView>> {
    const raw = await this.#call('POST', 'api/v1/webhooks', body);
    return { raw, value: normaliseWebhook(unwrapObject(raw)) };
  }

  /** Every webhook up to `limit`, following the API's next-page links. */
  async listWebhooks({ limit = 100 }: { limit?: number } = {}): Promise<ListResponse<WebhookView>> {
    const { raw, items, more } = await this.#collect(new URL('api/v1/webhooks', this.#base), 'webhooks', limit);
    return { raw, value: items.map(normaliseWebhook), more };
  }

  async getWebhook(id: string): Promise<ApiResponse<WebhookView>> {
    const answer = await this.#send(
      'GET',
      new URL(`api/v1/webhooks/${encodeURIComponent(id)}`, this.#base),
      undefined,
      id,
    );
    return {
      raw: answer.body,
      value: normaliseWebhook(unwrapObject(answer.body)),
      etag: headerText(answer.headers.etag),
    };
  }

  /** `PATCH`; with `ifMatch` (an ETag from `getWebhook`), only if the webhook has not changed since (else `ChangedMeanwhileError`). */
  async updateWebhook(
    id: string,
    body: UpdateBody,
    { ifMatch }: { ifMatch?: string } = {},
  ): Promise<ApiResponse<WebhookView>> {
    const url = new URL(`api/v1/webhooks/${encodeURIComponent(id)}`, this.#base);
    const answer = await this.#send('PATCH', url, body, id, ifMatch === undefined ? {} : { 'if-match': ifMatch });
    return {
      raw: answer.body,
      value: normaliseWebhook(unwrapObject(answer.body)),
      etag: headerText(answer.headers.etag),
    };
  }

  /**
   * A read-modify-write of one webhook (`update --add-event`): reads it, lets `change` build the
   * PATCH body from what it holds now, and sends it with `If-Match` when the API gives ETags; when
   * another client changed it meanwhile (412), reads it again and retries. Without ETags the
   * PATCH goes as before, unguarded. Resolves with the answer and the webhook `change` last saw.
   */
  async modifyWebhook(
    id: string,
    change: (current: WebhookView) => UpdateBody,
  ): Promise<ApiResponse<WebhookView> & { before: WebhookView }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.getWebhook(id);
      const body = change(current.value);
      try {
        return { ...(await this.updateWebhook(id, body, { ifMatch: current.etag })), before: current.value };
      } catch (err) {
        if (!(err instanceof ChangedMeanwhileError) || attempt >= MODIFY_ATTEMPTS) throw err;
        // Someone else's change landed first: start again from what it is now, a little later.
        await this.#sleep(Math.min(200, 5 * attempt) * Math.random());
      }
    }
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.#call('DELETE', `api/v1/webhooks/${encodeURIComponent(id)}`, undefined, id);
  }

  /** `POST /api/v1/webhooks/{id}/test` with `{"event": …}`. */
  async testWebhook(id: string, event: string): Promise<ApiResponse<Record<string, unknown>>> {
    const raw = await this.#call('POST', `api/v1/webhooks/${encodeURIComponent(id)}/test`, { event }, id);
    return { raw, value: unwrapObject(raw) };
  }

  /** Delivery attempts up to `limit` (default 50), following the API's next-page links. */
  async listDeliveries(id: string, filter: { status?: string; limit?: number } = {}): Promise<ListResponse<Attempt>> {
    const limit = filter.limit ?? 50;
    const url = new URL(`api/v1/webhooks/${encodeURIComponent(id)}/deliveries`, this.#base);
    if (filter.status !== undefined) url.searchParams.set('status', filter.status);
    url.searchParams.set('limit', String(Math.min(limit, 1000)));
    const { raw, items, more } = await this.#collect(url, 'deliveries', limit, id);
    return { raw, value: items.map(normaliseAttempt), more };
  }

  /** `POST /api/v1/events` (the emulator's): emit an event to every active subscriber. */
  async emitEvent(event: string, data?: Record<string, unknown>): Promise<unknown> {
    return this.#call('POST', 'api/v1/events', data === undefined ? { event } : { event, data });
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }

  async #call(method: Dispatcher.HttpMethod, path: string, body?: unknown, webhookId?: string): Promise<unknown> {
    return (await this.#send(method, new URL(path, this.#base), body, webhookId)).body;
  }

  /** Reads a list page by page (Link rel="next", a body's `next`, or `has_more` + `next_cursor`) up to `limit` items. */
  async #collect(
    first: URL,
    name: string,
    limit: number,
    webhookId?: string,
  ): Promise<{ raw: unknown; items: Record<string, unknown>[]; more: boolean }> {
    const items: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    let raw: unknown;
    let url: URL | undefined = first;
    let pages = 0;
    while (url && items.length < limit && pages < MAX_PAGES && !seen.has(url.href)) {
      seen.add(url.href);
      const answer = await this.#send('GET', url, undefined, webhookId);
      raw = pages === 0 ? answer.body : raw;
      items.push(...unwrapList(answer.body, name));
      pages++;
      url = nextPage(answer.headers.link, answer.body, url);
    }
    const more = items.length > limit || (url !== undefined && !seen.has(url.href));
    const kept = items.slice(0, limit);
    // One page is printed with --json exactly as the API sent it; several become one list.
    return { raw: pages === 1 && items.length <= limit ? raw : { data: kept }, items: kept, more };
  }

  /** One request, with the retries transient-failure.ts allows; a failed answer becomes a UserError. */
  async #send(
    method: Dispatcher.HttpMethod,
    url: URL,
    body: unknown,
    webhookId?: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<Answer> {
    let waitedMs = 0;
    let resets = 0;
    for (let tries = 1; ; tries++) {
      let answer: Answer;
      try {
        answer = await this.#once(method, url, body, extraHeaders);
      } catch (err) {
        if (isConnectionReset(err) && resendAfterReset(method, resets)) {
          resets++;
          this.#notice(`the connection to ${this.#base.origin} was reset; sending ${method} ${url.pathname} again`);
          continue;
        }
        throw this.#networkError(err, method);
      }
      if (isSuccessStatus(answer.status)) return answer;
      const retry = retryAfterAnswer(answer.status, answer.headers['retry-after'], tries, waitedMs);
      if (retry) {
        this.#notice(
          `the API answered ${answer.status}${answer.status === 429 ? ' (too many requests)' : ' (unavailable)'}; trying again in ${formatLimit(retry.waitMs)} as its Retry-After asks`,
        );
        await this.#sleep(retry.waitMs);
        waitedMs += retry.waitMs;
        continue;
      }
      throw this.#answerError(answer.status, answer.body, answer.text, method, url, webhookId);
    }
  }

  async #once(
    method: Dispatcher.HttpMethod,
    url: URL,
    body: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT, ...extraHeaders };
    headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await request(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: this.#agent,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: parseJson(text), text };
  }

  #networkError(err: unknown, method: string): UserError {
    const e = err as { name?: string; code?: string; cause?: { code?: string }; message?: string };
    const code = e.code ?? e.cause?.code;
    const where = this.#base.origin;
    const fault =
      this.#proxy && (proxyFault(err) ?? (/proxy/i.test(e.message ?? '') ? `failed: ${e.message}` : undefined));
    if (this.#proxy && fault) {
      const { message, hint } = proxyProblem(this.#proxy, this.#base, fault);
      return new UserError(message, { hint, cause: err });
    }
    if (isConnectionReset(err)) {
      return method === 'POST' || method === 'PATCH'
        ? new UserError(
            `the connection to the API at ${where} was reset before it answered; the ${method} was not sent again, as the API may have acted on it`,
            { hint: 'check with `webhooks-cli list` before trying again', cause: err },
          )
        : new UserError(`the connection to the API at ${where} was reset twice`, {
            hint: 'try again in a moment; --verbose shows more',
            cause: err,
          });
    }
    if (
      e.name === 'TimeoutError' ||
      e.name === 'AbortError' ||
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'UND_ERR_HEADERS_TIMEOUT'
    ) {
      return new UserError(`the API at ${where} did not answer within ${this.#timeoutMs / 1000} s`, {
        hint: 'check that it is healthy, or raise --timeout',
        cause: err,
      });
    }
    if (code === 'ECONNREFUSED') {
      return new UserError(`no API at ${where}`, { hint: 'start `webhooks-cli serve` or pass --api-url', cause: err });
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return new UserError(`cannot resolve the API host "${this.#base.hostname}"`, {
        hint: 'check --api-url',
        cause: err,
      });
    return new UserError(`request to the API at ${where} failed: ${e.message ?? String(err)}`, {
      hint: 'check --api-url and your network',
      cause: err,
    });
  }

  #answerError(status: number, parsed: unknown, text: string, method: string, url: URL, webhookId?: string): UserError {
    const detail = errorDetail(parsed);
    const said = detail.message ?? (text.trim().slice(0, 200) || undefined);
    switch (true) {
      case status === 403 && detail.code === 'host_not_allowed':
        return new UserError(`the API refused the name it was reached by${said ? ` (${said})` : ''}`, {
          hint: 'reach it as 127.0.0.1 or localhost, or start serve with --allow-host NAME',
        });
      case status === 401 || status === 403:
        return new UserError(`the API refused the token (${status}${said ? `: ${said}` : ''})`, {
          hint: !this.#defaultToken
            ? 'check --token (or WEBHOOKS_API_TOKEN / `config set token`)'
            : 'pass --token, set WEBHOOKS_API_TOKEN, or run `webhooks-cli config set token …`',
        });
      case status === 404 && webhookId !== undefined && detail.code !== 'not_found':
        return new UserError(`no webhook with id "${webhookId}"`, { hint: '`webhooks-cli list` shows the ids' });
      case status === 404:
        return new UserError(`the API at ${this.#base.origin} has no ${method} ${url.pathname}`, {
          hint: 'check --api-url points at the platform API (or `webhooks-cli serve`)',
        });
      case status === 409:
        // A disabled webhook's reason may already name the fix: give it once.
        return new UserError(`the API refused: ${said ?? 'conflict'}`, {
          hint:
            webhookId && !said?.includes('--active')
              ? `re-enable it with \`webhooks-cli update ${webhookId} --active\``
              : undefined,
        });
      case status === 412:
        return new ChangedMeanwhileError(
          `${webhookId ? `webhook ${webhookId}` : 'the resource'} changed while it was being updated${said ? ` (${said})` : ''}`,
          { hint: 'run the command again' },
        );
      case status === 413:
        return new UserError(`the API says the request is too large${said ? ` (${said})` : ''}`, {
          hint: 'send less data',
        });
      case status === 400 || status === 422:
        return new UserError(
          `the API rejected ${detail.field ? `field "${detail.field}"` : 'the request'}: ${said ?? `HTTP ${status}`}`,
          { hint: flagHint(detail.field) },
        );
      case status >= 500:
        return new UserError(`the API failed with ${status}${said ? `: ${said}` : ''}`, {
          hint: 'try again in a moment; --verbose shows more',
        });
      default:
        return new UserError(`the API answered ${status}${said ? `: ${said}` : ''}`, {
          hint: 'check --api-url and the request',
        });
    }
  }
}

const defaultSleep = (ms: number): Promise<void> => sleep(ms);

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
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
  return {
    code: str(inner.code),
    message: str(inner.message) ?? str(body.error) ?? str(body.detail),
    field: str(inner.field) ?? str(inner.param),
  };
}

function flagHint(field: string | undefined): string {
  const base = field?.replace(/\[\d+\]$/, '');
  switch (base) {
    case 'url':
      return 'fix --url (an http or https URL)';
    case 'events':
      return 'fix --events (webhooks-cli events list shows the types)';
    case 'event':
      return 'fix --event (webhooks-cli events list shows the types)';
    case 'secret':
      return 'fix --secret';
    case undefined:
      return 'check the flags';
    default:
      return `check the value sent as ${base}`;
  }
}
