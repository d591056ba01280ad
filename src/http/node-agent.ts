/**
 * The node:http(s) agent for requests to one target, through the forward proxy that
 * proxy-settings.ts (curl's rules) names, or direct. An http:// target goes to an HTTP proxy in
 * absolute form (`POST http://host/path`), as curl sends it; https://, ws:// and wss:// targets
 * go through a CONNECT tunnel, TLS (if any) end to end inside it. The agents are TooTallNate's
 * http-proxy-agent and https-proxy-agent, imported only when a proxy applies: `trigger` without
 * one loads nothing beyond node:http.
 */
import http from 'node:http';
import { UsageError } from '../errors.js';
import { type ProxyRoute, proxyAnswer, proxyFault, proxyFor, proxySettings } from './proxy-settings.js';

export interface RoutedAgent {
  agent: http.Agent;
  /** The proxy the agent goes through; undefined for a direct connection. */
  proxy?: ProxyRoute;
}

/** An agent through the proxy `target` takes, or undefined when it connects direct. */
export async function proxyAgentFor(
  target: URL,
  env: NodeJS.ProcessEnv,
  options: http.AgentOptions = {},
): Promise<Required<RoutedAgent> | undefined> {
  const proxy = proxyFor(target, proxySettings(env));
  if (!proxy) return undefined;
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(proxy.proxy);
  } catch {
    throw new UsageError(
      `${proxy.variable} "${proxy.proxy}" is not a proxy URL`,
      `e.g. ${proxy.variable}=http://proxy.example:3128, or unset it`,
    );
  }
  if (target.protocol === 'http:') {
    const { HttpProxyAgent } = await import('http-proxy-agent');
    return { agent: new HttpProxyAgent(proxyUrl, options), proxy };
  }
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  return { agent: new HttpsProxyAgent(proxyUrl, options), proxy };
}

/** The agent for requests to `target`: through its proxy, or a plain http(s).Agent. */
export async function agentFor(
  target: URL | string,
  env: NodeJS.ProcessEnv,
  options: http.AgentOptions = {},
): Promise<RoutedAgent> {
  // A URL that does not parse gets a plain agent: the sender reports it.
  if (!URL.canParse(String(target))) return { agent: new http.Agent(options) };
  const url = new URL(target);
  const routed = await proxyAgentFor(url, env, options);
  if (routed) return routed;
  if (url.protocol !== 'https:') return { agent: new http.Agent(options) };
  // node:https (and TLS) loads only for an https:// target.
  const { Agent } = await import('node:https');
  return { agent: new Agent(options) };
}

/** What a proxy itself did wrong with one request, read from its answer or its error. */
export interface ProxyVerdict {
  /** A refused CONNECT (https-proxy-agent replays the proxy's answer as the response) or a 407: the proxy's words. */
  ofAnswer(res: http.IncomingMessage): string | undefined;
  /** Refused, unresolvable, or a refused tunnel: the proxy's words; undefined for the target's own failures. */
  ofError(err: unknown): string | undefined;
  /** Stops listening to `source` (needed when it outlives the request: an agent). */
  stop(): void;
}

/**
 * Watches a request sent through `proxy` (if any) for the proxy's own failures. `source` is
 * what emits the agents' `proxyConnect` event: the request itself, or the agent when the request
 * is made out of reach (ws makes its own).
 */
export function watchProxy(source: NodeJS.EventEmitter, proxy: ProxyRoute | undefined): ProxyVerdict {
  if (!proxy) return { ofAnswer: () => undefined, ofError: () => undefined, stop: () => {} };
  let refused: { statusCode: number; statusText?: string } | undefined;
  const onConnect = (connect: { statusCode?: number; statusText?: string }) => {
    if (connect.statusCode !== undefined && connect.statusCode !== 200)
      refused = { statusCode: connect.statusCode, statusText: connect.statusText };
  };
  source.on('proxyConnect', onConnect);
  return {
    // 407 comes only from a proxy.
    ofAnswer: (res) =>
      refused || res.statusCode === 407
        ? proxyAnswer(refused?.statusCode ?? res.statusCode!, refused?.statusText ?? res.statusMessage)
        : undefined,
    ofError: (err) => (refused ? proxyAnswer(refused.statusCode, refused.statusText) : proxyFault(err)),
    stop: () => void source.off('proxyConnect', onConnect),
  };
}
