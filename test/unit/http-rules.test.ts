/** The pure HTTP rules every layer shares: URL checks, loopback hosts, success statuses, passed-on headers. */
import { describe, expect, it } from 'vitest';
import { DELIVERY_STATUSES, isDeliveryStatusFilter } from '../../src/core/delivery-status.js';
import { endToEndHeaders } from '../../src/core/http-headers.js';
import { isSuccessStatus } from '../../src/core/http-status.js';
import { isLoopbackHost, parseHttpUrl } from '../../src/core/http-url.js';
import { newWebhookSecret } from '../../src/core/signature.js';
import { EXIT_USAGE, requireHttpUrl, UsageError } from '../../src/errors.js';

describe('parseHttpUrl', () => {
  it('gives http and https URLs back parsed', () => {
    const url = parseHttpUrl('https://example.com/hook?x=1');
    expect(url).toBeInstanceOf(URL);
    expect((url as URL).href).toBe('https://example.com/hook?x=1');
    expect((parseHttpUrl('http://127.0.0.1:3000') as URL).port).toBe('3000');
  });

  it('says why anything else cannot be used', () => {
    expect(parseHttpUrl('example.com/hook')).toEqual({ value: 'example.com/hook', reason: '"example.com/hook" is not a URL', protocol: null });
    expect(parseHttpUrl('ftp://example.com/x')).toEqual({ value: 'ftp://example.com/x', reason: 'must be an http(s) URL, not ftp:', protocol: 'ftp:' });
    expect(parseHttpUrl('ws://127.0.0.1:1')).toMatchObject({ protocol: 'ws:' });
  });
});

describe('requireHttpUrl', () => {
  it('returns the URL, or a usage error naming the flag with an example', () => {
    expect(requireHttpUrl('http://127.0.0.1:9/hook', '--to').href).toBe('http://127.0.0.1:9/hook');
    const notUrl = (() => { try { requireHttpUrl('nope', '--to'); } catch (err) { return err; } })() as UsageError;
    expect(notUrl).toBeInstanceOf(UsageError);
    expect(notUrl.exitCode).toBe(EXIT_USAGE);
    expect(notUrl.message).toBe('--to "nope" is not a URL');
    expect(notUrl.hint).toBe('e.g. --to http://127.0.0.1:3000/webhook');
    expect(() => requireHttpUrl('mailto:a@b.c', '--public-url', 'https://relay.example.com')).toThrow('--public-url must be an http(s) URL, not mailto:');
  });
});

describe('isLoopbackHost', () => {
  it('knows this machine by name and address, with or without IPv6 brackets', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['example.com', 'localhost.example.com', '127.0.0.1.example.com', '128.0.0.1', '10.0.0.1', '0.0.0.0', '[::2]']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('isSuccessStatus', () => {
  it('counts 200–299 only', () => {
    expect([200, 201, 204, 299].map(isSuccessStatus)).toEqual([true, true, true, true]);
    expect([199, 300, 301, 404, 500, 0].map(isSuccessStatus)).toEqual([false, false, false, false, false, false]);
    expect(isSuccessStatus(null)).toBe(false);
    expect(isSuccessStatus(undefined)).toBe(false);
  });
});

describe('endToEndHeaders', () => {
  it('drops connection-level headers and content-length, keeps host and repeated headers', () => {
    expect(endToEndHeaders({ Connection: 'close', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'content-length': '3', host: 'relay.example.com', 'set-cookie': ['a', 'b'], 'x-webhook-signature': 'sha256=ab', gone: undefined }))
      .toEqual({ host: 'relay.example.com', 'set-cookie': ['a', 'b'], 'x-webhook-signature': 'sha256=ab' });
  });

  it('drops the names it is also given (host, for a new connection to another origin)', () => {
    expect(endToEndHeaders({ host: '127.0.0.1:3000', Host: 'x', 'content-type': 'application/json' }, ['host'])).toEqual({ 'content-type': 'application/json' });
  });
});

describe('delivery status filters', () => {
  it('are the four states or an HTTP status code', () => {
    expect(DELIVERY_STATUSES).toEqual(['succeeded', 'failed', 'pending', 'skipped']);
    for (const value of [...DELIVERY_STATUSES, '200', '500', '404']) expect(isDeliveryStatusFilter(value), value).toBe(true);
    for (const value of ['ok', 'SUCCEEDED', '600', '99', '2000', '']) expect(isDeliveryStatusFilter(value), value).toBe(false);
  });
});

describe('newWebhookSecret', () => {
  it('is whsec_ and 32 URL-safe characters, new each time', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
