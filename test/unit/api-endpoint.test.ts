import { describe, expect, it } from 'vitest';
import { apiConnection, apiRoot } from '../../src/api/api-endpoint.js';
import { isLoopbackHost } from '../../src/core/http-url.js';

describe('apiRoot', () => {
  it('drops a trailing /api/v1 or /api/v1/ and keeps any other base path', () => {
    for (const base of [
      'http://127.0.0.1:4010',
      'http://127.0.0.1:4010/',
      'http://127.0.0.1:4010/api/v1',
      'http://127.0.0.1:4010/api/v1/',
    ]) {
      expect(apiRoot(base).href).toBe('http://127.0.0.1:4010/');
    }
    expect(apiRoot('https://host/platform').href).toBe('https://host/platform/');
    expect(apiRoot('https://host/platform/api/v1').href).toBe('https://host/platform/');
    expect(apiRoot('https://host/api/v10').href).toBe('https://host/api/v10/');
  });

  it('refuses what is not an http(s) URL as a usage error', () => {
    expect(() => apiRoot('127.0.0.1:4010')).toThrow('--api-url "127.0.0.1:4010" has no scheme');
    expect(() => apiRoot('nope')).toThrow('--api-url "nope" is not a URL');
  });
});

describe('apiConnection', () => {
  it('treats 127.0.0.0/8, localhost and [::1] as loopback, nothing else', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', 'api.localhost', '[::1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['128.0.0.1', '127.0.0.1.example.com', 'example.com', '10.0.0.1', '[::2]', '0.0.0.0'])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('sends a configured token as it is, `dev` to a loopback API without one, and refuses a remote API without one', () => {
    expect(apiConnection('https://api.example.com', 'tok')).toMatchObject({ token: 'tok', defaultToken: false });
    expect(apiConnection('http://[::1]:4010/api/v1', undefined)).toMatchObject({ token: 'dev', defaultToken: true });
    expect(() => apiConnection('https://api.example.com', undefined)).toThrow(
      'no API token for https://api.example.com',
    );
  });
});
