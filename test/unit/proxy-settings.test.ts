/** Which proxy a URL takes (curl's rules), and how a proxy setting or failure is told. */
import { describe, expect, it } from 'vitest';
import {
  proxyFault,
  proxyFor,
  proxyProblem,
  proxySettings,
  proxySettingsLine,
  redactProxy,
} from '../../src/http/proxy-settings.js';

describe("proxyFor (curl's rules)", () => {
  const settings = {
    httpProxy: 'http://p:1',
    httpsProxy: 'http://s:2',
    noProxy: 'example.com, .corp.test,127.0.0.1:8080',
  };
  it.each([
    ['http://api.internal.test/', 'http://p:1'],
    ['https://api.internal.test/', 'http://s:2'],
    ['wss://relay.internal.test/', 'http://s:2'],
    ['https://example.com/', undefined],
    ['https://sub.example.com/', undefined],
    ['https://notexample.com/', 'http://s:2'],
    ['http://a.corp.test/', undefined],
    ['http://127.0.0.1:8080/', undefined],
    ['http://127.0.0.1:9090/', 'http://p:1'],
  ])('%s → %s', (url, proxy) => {
    expect(proxyFor(new URL(url), settings)?.proxy).toBe(proxy);
  });
  it('* bypasses every host; no HTTPS_PROXY means https goes direct', () => {
    expect(proxyFor(new URL('http://x/'), { httpProxy: 'http://p:1', noProxy: '*' })).toBeUndefined();
    expect(proxyFor(new URL('https://x/'), { httpProxy: 'http://p:1' })).toBeUndefined();
  });
  it('reads lower-case names first, and takes a value without a scheme as http://, as curl does', () => {
    expect(
      proxySettings({ HTTP_PROXY: 'http://upper:1', http_proxy: 'proxy.corp:3128', HTTPS_PROXY: 'https://s:2' }),
    ).toEqual({ httpProxy: 'http://proxy.corp:3128', httpsProxy: 'https://s:2', noProxy: undefined });
    expect(proxySettings({ http_proxy: '', HTTP_PROXY: '' })).toEqual({
      httpProxy: undefined,
      httpsProxy: undefined,
      noProxy: undefined,
    });
  });
  it('names a proxy without its password, and says what it did wrong with the fix', () => {
    expect(redactProxy('http://dev:pa55@proxy.corp:3128')).toBe('http://dev:****@proxy.corp:3128');
    const route = { proxy: 'http://dev:pa55@proxy.corp:3128', variable: 'HTTPS_PROXY' } as const;
    expect(proxyProblem(route, new URL('https://hooks.example/x'), 'refused the connection')).toEqual({
      message:
        'the proxy http://dev:****@proxy.corp:3128 (HTTPS_PROXY) refused the connection on the way to https://hooks.example',
      hint: 'check HTTPS_PROXY, or add hooks.example to NO_PROXY',
    });
    expect(proxyProblem(route, new URL('https://hooks.example/x'), 'answered 407').hint).toBe(
      'put the user and password in HTTPS_PROXY (http://user:password@host:port)',
    );
    expect(proxySettingsLine({ httpProxy: 'http://p:1', noProxy: 'localhost' }, 'deliveries')).toBe(
      'http:// deliveries through http://p:1 (HTTP_PROXY), except to hosts in NO_PROXY (localhost)',
    );
    expect(proxySettingsLine({})).toBeUndefined();
  });
  it("tells the proxy's own failures from the target's", () => {
    expect(proxyFault(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('refused the connection');
    expect(proxyFault({ message: 'fetch failed', cause: { code: 'ENOTFOUND' } })).toBe('cannot be resolved');
    expect(proxyFault(new Error('Proxy response (407) !== 200 when HTTP Tunneling'))).toBe(
      'answered 407 (it wants credentials)',
    );
    expect(proxyFault(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBeUndefined();
  });
});
