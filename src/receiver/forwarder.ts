/**
 * `listen --forward-to`: passes a received request on to the app its route names, with its exact
 * bytes and headers (hop-by-hop headers and a sender's X-Forwarded-* claims are dropped), and brings
 * back the app's answer. An app that is down answers 502, one that is too slow 504, one whose
 * status is not an HTTP status 502, each with a recorded reason. An app the proxy settings send
 * through a forward proxy is reached through it (http/node-agent.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { endToEndHeaders } from '../core/http-headers.js';
import { describeNetworkError } from '../core/network-error.js';
import { BodyPrefix } from '../http/body-limit.js';
import { agentFor, type RoutedAgent, watchProxy } from '../http/node-agent.js';
import { type ProxyRoute, proxyLabel } from '../http/proxy-settings.js';
import { AppDownQueue } from './app-down-queue.js';
import type { RawRequest, RawResponse } from './raw-exchange.js';
import { type Route, routeFor } from './routes.js';

/** Headers a proxy in front of an app writes about the original client; from a sender they are forged. */
const SENDER_CLAIMED_ROUTE = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

/** The app's answer is passed back whole up to this size; larger answers are a 502. */
const MAX_APP_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface ForwardResult {
  response: RawResponse;
  /** Why the app's own answer is not what was returned (down, too slow, too large), or null. */
  error: string | null;
  /** How long the app took, or until it failed. */
  durationMs: number;
  /**
   * The app is down rather than answering: it refused the connection, closed it before any
   * answer, or answered 502, 503 or 504 itself (a proxy in front of it, a restart under way).
   * Not when it was merely too slow: it may have done the work. `--app-down hold` holds these.
   */
  appDown?: boolean;
}

export type Forward = (request: RawRequest) => Promise<ForwardResult>;

/** The app's answer, or (`--app-down hold`, the app down) `held`: settles with its answer once it took the delivery. */
export type RouteResult = ({ held?: undefined } & ForwardResult) | { held: Promise<ForwardResult> };

/** What a route table does with one request: forwards it along the first matching route. */
export interface Router {
  readonly routes: readonly Route[];
  /** The answer of the route's app, or undefined when no route takes `event` (listen answers itself). */
  forward(request: RawRequest, event: string | null): Promise<RouteResult & { route: Route }> | undefined;
  /** With `--app-down hold`: holds `request` for its route's app, behind what is held (one held when listen last stopped). */
  hold(request: RawRequest, event: string | null): Promise<ForwardResult> | undefined;
  /** Stops forwarding; returns how many deliveries were still held for apps that were down. */
  close(): number;
}

export interface RouterOptions {
  /** The proxy settings (HTTP_PROXY, NO_PROXY…). */
  env?: NodeJS.ProcessEnv;
  /** `--app-down hold`: hold what an app that is down cannot take (see app-down-queue.ts); told how many each app holds. */
  appDownHold?: { onChange: (route: Route, held: number) => void };
}

/** One forwarder per route (each keeps its connections alive), tried in order. */
export function createRouter(
  routes: readonly Route[],
  defaultTimeoutMs: number,
  { env = {}, appDownHold }: RouterOptions = {},
): Router {
  const forwarders = new Map(
    routes.map((route) => [route, createForwarder(route.url, route.timeoutMs ?? defaultTimeoutMs, env)]),
  );
  const queues = new Map(
    appDownHold
      ? routes.map((route) => [
          route,
          new AppDownQueue(forwarders.get(route)!.forward, (held) => appDownHold.onChange(route, held)),
        ])
      : [],
  );
  return {
    routes,
    forward(request, event) {
      const route = routeFor(routes, event);
      if (!route) return undefined;
      const queue = queues.get(route);
      if (!queue)
        return forwarders
          .get(route)!
          .forward(request)
          .then((result) => ({ ...result, route }));
      return queue
        .forward(request)
        .then((outcome) => ('result' in outcome ? { ...outcome.result, route } : { held: outcome.passedOn, route }));
    },
    hold(request, event) {
      const route = routeFor(routes, event);
      return route && queues.get(route)?.hold(request);
    },
    close() {
      let held = 0;
      for (const queue of queues.values()) held += queue.close();
      for (const forwarder of forwarders.values()) forwarder.close();
      return held;
    },
  };
}

/** A forwarder to `target` that keeps connections to the app alive between requests. */
export function createForwarder(
  target: URL,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = {},
): { forward: Forward; close: () => void } {
  const client = target.protocol === 'https:' ? https : http;
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const direct = () => ({ agent: new client.Agent(agentOptions) });
  // A bad proxy URL was reported when listen started (the forwarder then goes direct).
  const routed: Promise<RoutedAgent> = agentFor(target, env, agentOptions).catch(direct);
  const forward: Forward = async (request) => {
    const { agent, proxy } = await routed;
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    const url = new URL(target);
    const query = request.path.indexOf('?');
    if (query >= 0 && !url.search) url.search = request.path.slice(query);
    // A new connection to the app: node gives it the app's Host, not the one the sender used. What
    // a sender claims about the way it came (X-Forwarded-For, Forwarded) is anyone's to write, so
    // the app never sees it as if a proxy of its own had said it.
    const headers = endToEndHeaders(request.headers, ['host', ...SENDER_CLAIMED_ROUTE]);
    headers['content-length'] = String(request.body.length);
    return new Promise<ForwardResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<ForwardResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: elapsed() });
      };
      const fail = (status: number, error: string, appDown = false) =>
        finish({ response: errorResponse(status, error), error, appDown });
      const outgoing = client.request(url, { method: request.method, headers, agent }, (res) => {
        const refused = verdict.ofAnswer(res);
        if (refused) {
          res.resume();
          return fail(502, proxyError(proxy!, url, refused));
        }
        const body = new BodyPrefix(MAX_APP_RESPONSE_BYTES);
        res.on('data', (chunk: Buffer) => {
          body.add(chunk);
          if (body.truncated) {
            res.destroy();
            fail(502, `the app at ${url.host} answered with more than ${MAX_APP_RESPONSE_BYTES} bytes`);
          }
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          // 099, 000 or 999 cannot be answered on (node refuses to write them): the sender gets a 502 that says why.
          if (!isAnswerableStatus(status))
            return fail(
              502,
              `the app at ${url.host} answered with status ${res.statusCode}, which is not an HTTP status (100–599)`,
            );
          finish({
            response: { status, headers: endToEndHeaders(res.headers), body: body.bytes },
            error: null,
            appDown: APP_DOWN_STATUSES.has(status),
          });
        });
        res.on('error', () => fail(502, `the app at ${url.host} closed the connection while answering`));
      });
      const timer = setTimeout(() => {
        fail(504, `the app at ${url.host} did not answer within ${timeoutMs} ms`);
        outgoing.destroy();
      }, timeoutMs);
      const verdict = watchProxy(outgoing, proxy);
      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        const fault = verdict.ofError(err);
        fail(
          502,
          fault ? proxyError(proxy!, url, fault) : describeNetworkError(err, url, 'the app').error,
          !fault && isAppDown(err),
        );
      });
      outgoing.end(request.body);
    });
  };
  return { forward, close: () => void routed.then(({ agent }) => agent.destroy()) };
}

/** A status an answer can carry on: 100–599 (RFC 9110 §15). */
function isAnswerableStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 599;
}

/** An app behind a proxy, or restarting, answers these itself while it cannot take requests. */
const APP_DOWN_STATUSES = new Set([502, 503, 504]);

/** Refused, or closed before any answer (a process killed mid-request): the app is down. */
function isAppDown(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' || err.code === 'EPIPE';
}

function proxyError(proxy: ProxyRoute, url: URL, what: string): string {
  return `${proxyLabel(proxy)} ${what} on the way to the app at ${url.host}`;
}

function errorResponse(status: number, message: string): RawResponse {
  const code = status === 504 ? 'app_timeout' : 'app_unavailable';
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ error: { code, message } })),
  };
}
