/**
 * The undici dispatcher for outgoing requests from the API client and the emulator's delivery
 * engine: each request goes through undici's ProxyAgent when proxy-settings.ts (curl's rules for
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY) says so, directly otherwise. One rule decides both the
 * route and what --verbose reports. The variables come from the environment the command was
 * given, not process.env, so tests choose them.
 */
import { Agent, Dispatcher, ProxyAgent } from 'undici';
import { hasProxy, type ProxySettings, proxyFor, proxySettings } from './proxy-settings.js';

class CurlRulesProxyDispatcher extends Dispatcher {
  readonly #direct: Agent;
  readonly #proxies = new Map<string, ProxyAgent>();
  readonly #settings: ProxySettings;
  readonly #options: Agent.Options;

  constructor(settings: ProxySettings, options: Agent.Options) {
    super();
    this.#settings = settings;
    this.#options = options;
    this.#direct = new Agent(options);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const route = proxyFor(new URL(String(options.origin)), this.#settings);
    if (!route) return this.#direct.dispatch(options, handler);
    let agent = this.#proxies.get(route.proxy);
    if (!agent) this.#proxies.set(route.proxy, (agent = new ProxyAgent({ ...this.#options, uri: route.proxy })));
    return agent.dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.#direct.close(), ...[...this.#proxies.values()].map((p) => p.close())]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.#direct.destroy(), ...[...this.#proxies.values()].map((p) => p.destroy())]);
  }
}

export function outgoingDispatcher(env: NodeJS.ProcessEnv, options: Agent.Options = {}): Dispatcher {
  const settings = proxySettings(env);
  return hasProxy(settings) ? new CurlRulesProxyDispatcher(settings, options) : new Agent(options);
}
