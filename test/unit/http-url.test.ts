/** URL checks for every flag that takes one, and which hosts are this machine. */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseHttpUrl } from '../../src/core/http-url.js';
import { EXIT_USAGE, requireHttpUrl, UsageError } from '../../src/errors.js';

describe('parseHttpUrl', () => {
  it('gives http and https URLs back parsed', () => {
    const url = parseHttpUrl('https://example.com/hook?x=1');
    expect(url).toBeInstanceOf(URL);
    expect((url as URL).href).toBe('https://example.com/hook?x=1');
    expect((parseHttpUrl('http://127.0.0.1:3000') as URL).port).toBe('3000');
  });

  it('says why anything else cannot be used', () => {
    expect(parseHttpUrl('example.com/hook')).toEqual({
      value: 'example.com/hook',
      reason: '"example.com/hook" is not a URL',
      protocol: null,
    });
    expect(parseHttpUrl('ftp://example.com/x')).toEqual({
      value: 'ftp://example.com/x',
      reason: 'must be an http(s) URL, not ftp:',
      protocol: 'ftp:',
    });
    expect(parseHttpUrl('ws://127.0.0.1:1')).toMatchObject({ protocol: 'ws:' });
  });
});

describe('requireHttpUrl', () => {
  it('returns the URL, or a usage error naming the flag with an example', () => {
    expect(requireHttpUrl('http://127.0.0.1:9/hook', '--to').href).toBe('http://127.0.0.1:9/hook');
    const notUrl = (() => {
      try {
        requireHttpUrl('nope', '--to');
      } catch (err) {
        return err;
      }
    })() as UsageError;
    expect(notUrl).toBeInstanceOf(UsageError);
    expect(notUrl.exitCode).toBe(EXIT_USAGE);
    expect(notUrl.message).toBe('--to "nope" is not a URL');
    expect(notUrl.hint).toBe('e.g. --to http://127.0.0.1:3000/webhook');
    expect(() => requireHttpUrl('mailto:a@b.c', '--public-url', 'https://relay.example.com')).toThrow(
      '--public-url must be an http(s) URL, not mailto:',
    );
  });
});

describe('isLoopbackHost', () => {
  it('knows this machine by name and address, with or without IPv6 brackets', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      'example.com',
      'localhost.example.com',
      '127.0.0.1.example.com',
      '128.0.0.1',
      '10.0.0.1',
      '0.0.0.0',
      '[::2]',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
