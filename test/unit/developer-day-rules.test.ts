/** The pure rules behind the API client's habits: proxy routing, Retry-After, next pages, test outcomes. */
import { describe, expect, it } from 'vitest';
import { proxyFault, proxyFor, proxyProblem, proxySettings, proxySettingsLine, redactProxy } from '../../src/http/proxy-settings.js';
import { parseHeaderFlags } from '../../src/core/extra-headers.js';
import { retryAfterAnswer, retryAfterMs, resendAfterReset } from '../../src/api/transient-failure.js';
import { nextFromLinkHeader, nextPage } from '../../src/api/next-page.js';
import { outcomeOf } from '../../src/api/test-outcome.js';

describe('proxyFor (curl\'s rules)', () => {
  const settings = { httpProxy: 'http://p:1', httpsProxy: 'http://s:2', noProxy: 'example.com, .corp.test,127.0.0.1:8080' };
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
    expect(proxySettings({ HTTP_PROXY: 'http://upper:1', http_proxy: 'proxy.corp:3128', HTTPS_PROXY: 'https://s:2' })).toEqual({ httpProxy: 'http://proxy.corp:3128', httpsProxy: 'https://s:2', noProxy: undefined });
    expect(proxySettings({ http_proxy: '', HTTP_PROXY: '' })).toEqual({ httpProxy: undefined, httpsProxy: undefined, noProxy: undefined });
  });
  it('names a proxy without its password, and says what it did wrong with the fix', () => {
    expect(redactProxy('http://dev:pa55@proxy.corp:3128')).toBe('http://dev:****@proxy.corp:3128');
    const route = { proxy: 'http://dev:pa55@proxy.corp:3128', variable: 'HTTPS_PROXY' } as const;
    expect(proxyProblem(route, new URL('https://hooks.example/x'), 'refused the connection')).toEqual({
      message: 'the proxy http://dev:****@proxy.corp:3128 (HTTPS_PROXY) refused the connection on the way to https://hooks.example',
      hint: 'check HTTPS_PROXY, or add hooks.example to NO_PROXY',
    });
    expect(proxyProblem(route, new URL('https://hooks.example/x'), 'answered 407').hint).toBe('put the user and password in HTTPS_PROXY (http://user:password@host:port)');
    expect(proxySettingsLine({ httpProxy: 'http://p:1', noProxy: 'localhost' }, 'deliveries')).toBe('http:// deliveries through http://p:1 (HTTP_PROXY), except to hosts in NO_PROXY (localhost)');
    expect(proxySettingsLine({})).toBeUndefined();
  });
  it('tells the proxy\'s own failures from the target\'s', () => {
    expect(proxyFault(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('refused the connection');
    expect(proxyFault({ message: 'fetch failed', cause: { code: 'ENOTFOUND' } })).toBe('cannot be resolved');
    expect(proxyFault(new Error('Proxy response (407) !== 200 when HTTP Tunneling'))).toBe('answered 407 (it wants credentials)');
    expect(proxyFault(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBeUndefined();
  });
});

describe('trigger --header', () => {
  it('lower-cases names, trims values, joins a repeated name', () => {
    expect(parseHeaderFlags(['X-Tenant: acme', 'x-tenant:beta', 'Accept-Language:  fr '], { unsigned: false })).toEqual({ 'x-tenant': 'acme, beta', 'accept-language': 'fr' });
  });
  it('keeps the signed delivery\'s headers unless unsigned, and the connection\'s always', () => {
    expect(() => parseHeaderFlags(['X-WEBHOOK-SIGNATURE: x'], { unsigned: false })).toThrow('--header would override X-Webhook-Signature');
    expect(parseHeaderFlags(['X-WEBHOOK-SIGNATURE: x'], { unsigned: true })).toEqual({ 'x-webhook-signature': 'x' });
    expect(() => parseHeaderFlags(['Transfer-Encoding: chunked'], { unsigned: true })).toThrow('--header cannot set Transfer-Encoding');
  });
});

describe('Retry-After and resends', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates; unreadable is undefined', () => {
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
  it('waits only for 429/503 with Retry-After, within 3 tries and 60 s', () => {
    expect(retryAfterAnswer(429, '2', 1, 0, now)).toEqual({ waitMs: 2000 });
    expect(retryAfterAnswer(500, '2', 1, 0, now)).toBeUndefined();
    expect(retryAfterAnswer(503, undefined, 1, 0, now)).toBeUndefined();
    expect(retryAfterAnswer(503, '2', 3, 0, now)).toBeUndefined();
    expect(retryAfterAnswer(503, '30', 2, 31_000, now)).toBeUndefined();
  });
  it('a reset is resent once for GET and DELETE, never for POST or PATCH', () => {
    expect([resendAfterReset('GET', 0), resendAfterReset('DELETE', 0), resendAfterReset('GET', 1), resendAfterReset('POST', 0), resendAfterReset('PATCH', 0)]).toEqual([true, true, false, false, false]);
  });
});

describe('next pages', () => {
  const base = new URL('https://api.example/api/v1/webhooks?limit=2');
  it('Link rel="next" among others, relative or absolute, quoted or not', () => {
    expect(nextFromLinkHeader('<https://api.example/p?a=1,2>; rel="prev", </api/v1/webhooks?page=3>; rel="next last"', base)?.href).toBe('https://api.example/api/v1/webhooks?page=3');
    expect(nextFromLinkHeader('<?page=2>; rel=next', base)?.href).toBe('https://api.example/api/v1/webhooks?page=2');
    expect(nextFromLinkHeader('<?page=2>; rel="prev"', base)).toBeUndefined();
  });
  it('a body\'s next, or has_more + next_cursor; has_more false ends it', () => {
    expect(nextPage(undefined, { next: '/n' }, base)?.href).toBe('https://api.example/n');
    expect(nextPage(undefined, { has_more: true, next_cursor: 'c' }, base)?.href).toBe('https://api.example/api/v1/webhooks?limit=2&cursor=c');
    expect(nextPage(undefined, { has_more: false, next_cursor: 'c' }, base)).toBeUndefined();
  });
});

describe('test outcomes', () => {
  it('matches id or delivery_id; a finished row wins over a queued one', () => {
    expect(outcomeOf([{ id: 'd1', status: 'queued' }, { delivery_id: 'd1', status: 'failed' }], 'd1').state).toBe('failed');
    expect(outcomeOf([{ id: 'd2', status: 'succeeded' }, { id: 'd1', status: 'pending' }], 'd1')).toMatchObject({ state: 'unfinished', lastStatus: 'pending' });
    expect(outcomeOf([{ delivery_id: 'd1', status: 'retrying' }], 'd1').state).toBe('failed');
  });
});
