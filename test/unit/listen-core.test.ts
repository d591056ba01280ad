import { describe, expect, it } from 'vitest';
import { byteSize, milliseconds } from '../../src/cli/parse.js';
import { isLoopbackHost } from '../../src/core/http-url.js';
import { sign } from '../../src/core/signature.js';
import { StatsCounter } from '../../src/receiver/listener-stats.js';
import { parseForwardTarget } from '../../src/receiver/routes.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { matchesQuery, parseFilterQuery, queryText, toHistoryFilter } from '../../src/store/filter-query.js';
import { detailLines } from '../../src/ui/tui/detail-lines.js';
import { windowStart } from '../../src/ui/tui/row-format.js';

describe('filter queries', () => {
  it('reads keys, bare status codes, flags and free text', () => {
    expect(parseFilterQuery('status:401 event:customer.cart.added invalid dup in  hello world')).toEqual({
      status: 401,
      event: 'customer.cart.added',
      invalid: true,
      duplicate: true,
      direction: 'in',
      text: 'hello world',
    });
    expect(parseFilterQuery('502')).toEqual({ status: 502 });
    expect(parseFilterQuery('status:abc')).toEqual({ text: 'status:abc' });
    expect(parseFilterQuery('   ')).toEqual({});
  });

  it('matches rows in memory the way the history filters them in SQL', () => {
    const row = {
      event: 'customer.cart.added',
      status: 401,
      signatureValid: false,
      duplicate: false,
      direction: 'in' as const,
      deliveryId: 'dlv_abc',
      url: '/webhook',
    };
    expect(matchesQuery(row, parseFilterQuery('invalid'))).toBe(true);
    expect(matchesQuery(row, parseFilterQuery('valid'))).toBe(false);
    expect(matchesQuery(row, parseFilterQuery('ABC'))).toBe(true);
    expect(matchesQuery(row, parseFilterQuery('status:200'))).toBe(false);
    expect(toHistoryFilter(parseFilterQuery('out dup text'))).toEqual({
      event: undefined,
      status: undefined,
      invalid: undefined,
      valid: undefined,
      duplicate: true,
      direction: 'out',
      search: 'text',
    });
    expect(queryText({ event: 'a.b', status: 500, invalid: true, direction: 'in', search: 'x' })).toBe(
      'event:a.b status:500 invalid in x',
    );
  });
});

describe('windowStart', () => {
  it('moves the window as little as possible to keep the selection visible', () => {
    expect(windowStart(0, 100, 10, 0)).toBe(0);
    expect(windowStart(9, 100, 10, 0)).toBe(0);
    expect(windowStart(10, 100, 10, 0)).toBe(1);
    expect(windowStart(5, 100, 10, 20)).toBe(5);
    expect(windowStart(99, 100, 10, 0)).toBe(90);
    expect(windowStart(3, 5, 10, 7)).toBe(0);
  });
});

describe('StatsCounter', () => {
  it('counts outcomes and the rate over the last full seconds', () => {
    const stats = new StatsCounter();
    const t = 1_000_000_000;
    for (let i = 0; i < 10; i++) stats.add({ signatureValid: true, duplicate: i === 0, status: 200 }, t + i * 100);
    stats.add({ signatureValid: false, duplicate: false, status: 401 }, t + 1500);
    stats.add({ signatureValid: null, duplicate: false, status: null }, t + 1600);
    expect(stats.snapshot(t + 2000)).toEqual({
      received: 12,
      valid: 10,
      invalid: 1,
      duplicates: 1,
      failed: 2,
      ratePerSecond: 12 / 5,
    });
    expect(stats.snapshot(t + 60_000).ratePerSecond).toBe(0);
  });
});

describe('forwarding targets', () => {
  it('allows this machine only, unless remote forwarding is allowed', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['example.com', '10.0.0.1', '0.0.0.0', 'localhost.example.com'])
      expect(isLoopbackHost(host)).toBe(false);
    expect(parseForwardTarget('http://localhost:8000/hooks', false).href).toBe('http://localhost:8000/hooks');
    expect(() => parseForwardTarget('http://example.com/hooks', false)).toThrow(/not on this machine/);
    expect(parseForwardTarget('https://example.com/hooks', true).host).toBe('example.com');
    expect(() => parseForwardTarget('ftp://localhost/x', true)).toThrow(/http\(s\)/);
    expect(() => parseForwardTarget('not a url', true)).toThrow(/is not a URL/);
  });
});

describe('option parsers', () => {
  it('reads sizes in binary units and delays in milliseconds by default', () => {
    expect(byteSize('1048576')).toBe(1048576);
    expect(byteSize('512kb')).toBe(512 * 1024);
    expect(byteSize('1.5MiB')).toBe(1.5 * 1024 * 1024);
    expect(() => byteSize('lots')).toThrow(/expected a size/);
    expect(milliseconds('250')).toBe(250);
    expect(milliseconds('2s')).toBe(2000);
    expect(milliseconds('0')).toBe(0);
    expect(() => milliseconds('-1')).toThrow();
  });
});

describe('detailLines', () => {
  const base: DeliveryRecord = {
    direction: 'in',
    source: 'listen',
    createdAt: Date.UTC(2026, 0, 1),
    event: 'customer.cart.added',
    deliveryId: 'dlv_1',
    method: 'POST',
    url: '/webhook',
    remoteAddress: '127.0.0.1',
    requestHeaders: {},
    requestBody: Buffer.from('{"a":1}'),
    status: 200,
    responseHeaders: null,
    responseBody: null,
    durationMs: 1,
    error: null,
    signatureValid: true,
    signatureError: null,
    duplicate: false,
    replayOf: null,
  };

  it("diagnoses a re-serialised body with the listener's secrets", () => {
    const original = '{"a":1}';
    const pretty = JSON.stringify({ a: 1 }, null, 2);
    const text = detailLines(
      {
        ...base,
        requestBody: Buffer.from(pretty),
        requestHeaders: { 'x-webhook-signature': sign(original, 's') },
        signatureValid: false,
      },
      { secrets: ['s'] },
    ).map((l) => l.text);
    expect(text).toContain('✗ signature does not match the body with any configured secret');
    expect(
      text.some((l) => l.includes('the body was re-serialised after signing (the sender signed it compact)')),
    ).toBe(true);
  });

  it('says why a signature was not checked when the request never got that far', () => {
    const signature = (overrides: Partial<DeliveryRecord>, secrets: string[] = []) => {
      const lines = detailLines({ ...base, signatureValid: null, ...overrides }, { secrets }).map((l) => l.text);
      return lines[lines.indexOf('Signature') + 1];
    };
    expect(signature({ method: '?', url: '?', status: 408, event: null })).toBe(
      'not checked: the request never completed (the client was too slow to send it; answered 408)',
    );
    expect(signature({ method: '?', url: '?', status: 431, event: null }, ['s'])).toBe(
      'not checked: the request headers were too large (answered 431)',
    );
    expect(signature({ status: 413, requestBody: Buffer.alloc(0) }, ['s'])).toBe(
      'not checked: the body was over the size limit, so it was not kept (answered 413)',
    );
    expect(signature({ method: 'GET', status: 405 })).toBe(
      'not checked: not a POST to the webhook path (answered 405)',
    );
    // A complete request received without a secret: that is the reason.
    expect(signature({})).toBe('not checked (no secret)');
  });

  it('shows binary bodies as hex, and JSON pretty-printed', () => {
    const binary = detailLines({ ...base, requestBody: Buffer.from([0xff, 0x00, 0x41]) }).map((l) => l.text);
    expect(binary).toContain('  binary data (not UTF-8); first 3 bytes:');
    expect(binary).toContain('  ff 00 41');
    expect(detailLines(base).map((l) => l.text)).toContain('    "a": 1');
  });
});
