/**
 * Which forward proxy an outgoing request goes through, as curl decides it (pure):
 * `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http ones (lower-case names too, lower-case
 * first as curl reads them), none for a host `NO_PROXY` names — a comma list of hosts, domain
 * suffixes (`example.com` and `.example.com` both match sub.example.com), optional `:port`, or `*`.
 */

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

const read = (env: NodeJS.ProcessEnv, name: string) => env[name.toLowerCase()] || env[name] || undefined;

export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  return { httpProxy: read(env, 'HTTP_PROXY'), httpsProxy: read(env, 'HTTPS_PROXY'), noProxy: read(env, 'NO_PROXY') };
}

export function hasProxy(settings: ProxySettings): boolean {
  return Boolean(settings.httpProxy || settings.httpsProxy);
}

/** The proxy URL `url` goes through, with the variable that named it, or undefined for a direct connection. */
export function proxyFor(url: URL, settings: ProxySettings): { proxy: string; variable: string } | undefined {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const proxy = secure ? settings.httpsProxy : settings.httpProxy;
  if (!proxy || bypassed(url, settings.noProxy)) return undefined;
  return { proxy, variable: secure ? 'HTTPS_PROXY' : 'HTTP_PROXY' };
}

function bypassed(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80');
  return noProxy.split(/[\s,]+/).filter(Boolean).some((entry) => {
    if (entry === '*') return true;
    const [, name = entry, entryPort] = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase().replace(/^\[|\]$/g, '')) ?? [];
    if (entryPort && entryPort !== port) return false;
    const bare = name.replace(/^\*?\./, '');
    return host === bare || host.endsWith(`.${bare}`);
  });
}
