/**
 * Which forward proxy an outgoing request goes through, as curl decides it (pure):
 * `HTTPS_PROXY` for https (and wss) URLs, `HTTP_PROXY` for http (and ws) ones (lower-case names
 * too, lower-case first as curl reads them; a value without a scheme is `http://`), none for a
 * host `NO_PROXY` names — a comma list of hosts, domain suffixes (`example.com` and
 * `.example.com` both match sub.example.com), optional `:port`, or `*`. Also the words every
 * sender uses for a proxy: the --verbose line, and what went wrong with the proxy itself.
 */

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** The proxy a request goes through, and the variable that named it. */
export interface ProxyRoute {
  proxy: string;
  variable: 'HTTP_PROXY' | 'HTTPS_PROXY';
}

const read = (env: NodeJS.ProcessEnv, name: string) => env[name.toLowerCase()] || env[name] || undefined;

/** curl takes `proxy.corp:3128` to mean `http://proxy.corp:3128`. */
const withScheme = (proxy: string | undefined) =>
  proxy && !/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? `http://${proxy}` : proxy;

export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  return {
    httpProxy: withScheme(read(env, 'HTTP_PROXY')),
    httpsProxy: withScheme(read(env, 'HTTPS_PROXY')),
    noProxy: read(env, 'NO_PROXY'),
  };
}

export function hasProxy(settings: ProxySettings): boolean {
  return Boolean(settings.httpProxy || settings.httpsProxy);
}

const isSecure = (url: URL) => url.protocol === 'https:' || url.protocol === 'wss:';

/** The proxy URL `url` goes through, with the variable that named it, or undefined for a direct connection. */
export function proxyFor(url: URL, settings: ProxySettings): ProxyRoute | undefined {
  const secure = isSecure(url);
  const proxy = secure ? settings.httpsProxy : settings.httpProxy;
  if (!proxy || bypassed(url, settings.noProxy)) return undefined;
  return { proxy, variable: secure ? 'HTTPS_PROXY' : 'HTTP_PROXY' };
}

function bypassed(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (isSecure(url) ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [, name = entry, entryPort] = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase().replace(/^\[|\]$/g, '')) ?? [];
      if (entryPort && entryPort !== port) return false;
      const bare = name.replace(/^\*?\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** A proxy URL without its password (user:pass@ is common in corporate proxies). */
export function redactProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.password) url.password = '****';
    return url.href.replace(/\/$/, '');
  } catch {
    return proxy;
  }
}

/** `the proxy http://proxy.corp:3128 (HTTP_PROXY)`: how every message names a proxy. */
export function proxyLabel(route: ProxyRoute): string {
  return `the proxy ${redactProxy(route.proxy)} (${route.variable})`;
}

/** The --verbose line: `requests to http://host go through the proxy … (HTTP_PROXY)`. */
export function proxyRouteLine(target: URL, route: ProxyRoute, what = 'requests'): string {
  return `${what} to ${target.origin} go through ${proxyLabel(route)}`;
}

/** For a sender with many targets (serve's deliveries): which proxy takes which scheme, and what goes direct; undefined without a proxy. */
export function proxySettingsLine(settings: ProxySettings, what = 'requests'): string | undefined {
  const routes = [
    settings.httpProxy && `http:// ${what} through ${redactProxy(settings.httpProxy)} (HTTP_PROXY)`,
    settings.httpsProxy && `https:// ${what} through ${redactProxy(settings.httpsProxy)} (HTTPS_PROXY)`,
  ].filter(Boolean);
  if (routes.length === 0) return undefined;
  return `${routes.join(', ')}${settings.noProxy ? `, except to hosts in NO_PROXY (${settings.noProxy})` : ''}`;
}

/** What the proxy itself did wrong, as `{message, hint}` for one line, on the way to `target`. */
export function proxyProblem(route: ProxyRoute, target: URL, what: string): { message: string; hint: string } {
  const hint = /\b407\b/.test(what)
    ? `put the user and password in ${route.variable} (http://user:password@host:port)`
    : `check ${route.variable}, or add ${target.hostname} to NO_PROXY`;
  return { message: `${proxyLabel(route)} ${what} on the way to ${target.origin}`, hint };
}

/** `proxyProblem` as one line: `the proxy … refused the connection on the way to … — check …`. */
export function proxyProblemLine(route: ProxyRoute, target: URL, what: string): string {
  const { message, hint } = proxyProblem(route, target, what);
  return `${message} — ${hint}`;
}

/** How a proxy answered a request it would not pass on: `answered 407 Proxy Authentication Required`. */
export function proxyAnswer(status: number, statusText?: string): string {
  return `answered ${status}${statusText ? ` ${statusText}` : ''}${status === 407 ? ' (it wants credentials)' : ''}`;
}

/**
 * When a request went through a proxy, whether `err` is the proxy's fault (refused, unknown host,
 * an answer other than 200 to CONNECT — undici words it "Proxy response (502) !== 200") and
 * what it did, or undefined when the error is about the target beyond it.
 */
export function proxyFault(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED') return 'refused the connection';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'cannot be resolved';
  const said = /Proxy response \((\d{3})\)/i.exec(`${e.message ?? ''} ${e.cause?.message ?? ''}`);
  if (said) return proxyAnswer(Number(said[1]));
  return undefined;
}
