/** The pure rules behind the API client's habits: proxy routing, Retry-After, next pages, test outcomes. */
import { describe, expect, it } from 'vitest';
import { proxyFor } from '../../src/http/proxy-settings.js';
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
