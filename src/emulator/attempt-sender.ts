/**
 * Sends one delivery attempt with undici and reports what happened, never throwing. The
 * platform's rules: one deadline for the whole exchange, only 2xx is success, and a redirect is
 * an answer like any other (undici's `request` does not follow redirects). A webhook URL the
 * proxy settings send through a forward proxy goes through it (http/outgoing-dispatcher.ts).
 */
import { type Dispatcher, request } from 'undici';
import { describeNetworkError } from '../core/network-error.js';
import { BodyPrefix } from '../http/body-limit.js';
import { outgoingDispatcher } from '../http/outgoing-dispatcher.js';
import { type ProxySettings, proxyFault, proxyFor, proxyLabel, proxySettings } from '../http/proxy-settings.js';
import type { HeaderMap } from '../store/delivery-record.js';

export interface AttemptResult {
  status?: number;
  headers?: HeaderMap;
  /** Only read when asked (debug mode), cut at `MAX_KEPT_RESPONSE_BYTES`. */
  body?: Buffer;
  durationMs: number;
  /** Why no answer arrived, in words, or undefined. */
  error?: string;
}

export const MAX_KEPT_RESPONSE_BYTES = 64 * 1024;

export class AttemptSender {
  readonly #agent: Dispatcher;
  readonly #timeoutMs: number;
  readonly #proxies: ProxySettings;

  /** `env`: the environment whose HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the attempts. */
  constructor({
    connections,
    timeoutMs,
    env = {},
  }: { connections: number; timeoutMs: number; env?: NodeJS.ProcessEnv }) {
    this.#timeoutMs = timeoutMs;
    this.#proxies = proxySettings(env);
    this.#agent = outgoingDispatcher(env, { connections, keepAliveTimeout: 10_000, connect: { timeout: timeoutMs } });
  }

  async send(
    url: string,
    headers: Record<string, string>,
    body: Buffer,
    keepResponseBody: boolean,
  ): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const res = await request(url, { method: 'POST', headers, body, dispatcher: this.#agent, signal });
      let kept: Buffer | undefined;
      if (keepResponseBody) {
        const body = new BodyPrefix(MAX_KEPT_RESPONSE_BYTES);
        for await (const chunk of res.body as AsyncIterable<Buffer>) body.add(chunk);
        kept = body.bytes;
      } else {
        await res.body.dump();
      }
      return { status: res.statusCode, headers: res.headers, body: kept, durationMs: elapsed() };
    } catch (err) {
      return {
        durationMs: elapsed(),
        error: this.#proxyError(err, url) ?? describeError(err, url, this.#timeoutMs, signal.aborted),
      };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }

  /** Through a proxy, what the proxy itself did wrong, or undefined. */
  #proxyError(err: unknown, url: string): string | undefined {
    const route = URL.canParse(url) ? proxyFor(new URL(url), this.#proxies) : undefined;
    const fault = route && proxyFault(err);
    return fault && `${proxyLabel(route)} ${fault} on the way to ${safeHost(url)}`;
  }
}

function describeError(err: unknown, url: string, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `no answer from ${safeHost(url)} within ${timeoutMs / 1000} s`;
  if (!URL.canParse(url)) return `request to ${url} failed: ${err instanceof Error ? err.message : String(err)}`;
  return describeNetworkError(err, new URL(url), "the webhook's receiver").error;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
