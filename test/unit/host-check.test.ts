/** The Host check against DNS rebinding: the addresses a local server is served on, and nothing else. */
import { describe, expect, it } from 'vitest';
import { allowedHosts, hostAllowed, isAllowedHost } from '../../src/http/host-check.js';

describe('allowedHosts', () => {
  it('on loopback: the bound address and the other loopback spellings, with the port', () => {
    const hosts = allowedHosts('127.0.0.1', 4040, {});
    expect([...hosts].sort()).toEqual(['127.0.0.1:4040', '[::1]:4040', 'localhost:4040']);
    expect(hostAllowed('LOCALHOST:4040', hosts)).toBe(true);
    expect(hostAllowed('localhost:4041', hosts)).toBe(false);
    expect(hostAllowed('localhost', hosts)).toBe(false);
    expect(hostAllowed('evil.example:4040', hosts)).toBe(false);
    expect(hostAllowed(undefined, hosts)).toBe(false);
  });

  it('bound to one other address: that address only', () => {
    expect([...allowedHosts('192.0.2.7', 4040, {})]).toEqual(['192.0.2.7:4040']);
  });

  it('bound to every interface: each interface address and loopback', () => {
    const interfaces = {
      eth0: [
        { address: '192.0.2.7', family: 'IPv4' },
        { address: 'fe80::1', family: 'IPv6' },
      ],
    } as unknown as Parameters<typeof allowedHosts>[2];
    const hosts = allowedHosts('0.0.0.0', 80, interfaces);
    expect(hostAllowed('192.0.2.7:80', hosts)).toBe(true);
    expect(hostAllowed('[fe80::1]:80', hosts)).toBe(true);
    expect(hostAllowed('localhost:80', hosts)).toBe(true);
    expect(hostAllowed('198.51.100.1:80', hosts)).toBe(false);
  });
});

describe('isAllowedHost', () => {
  it('takes loopback names and addresses, with or without a port, for a server bound to loopback', () => {
    for (const host of [
      '127.0.0.1',
      '127.0.0.1:4010',
      'localhost:4010',
      'LOCALHOST',
      'app.localhost',
      '[::1]:4010',
      '127.9.9.9',
      'localhost.:4010',
    ])
      expect(isAllowedHost(host, '127.0.0.1'), host).toBe(true);
    for (const host of [
      'attacker.example',
      'attacker.example:4010',
      '127.0.0.1.nip.io',
      '10.0.0.5:4010',
      '[::ffff:7f00:1]',
      '',
      'localhost.attacker.example',
    ])
      expect(isAllowedHost(host, '127.0.0.1'), host).toBe(false);
    expect(isAllowedHost(undefined, '127.0.0.1')).toBe(true);
    expect(isAllowedHost(['attacker.example', 'localhost'], 'localhost')).toBe(false);
  });

  it('takes the names the user allowed too, and only those', () => {
    expect(isAllowedHost('API.Internal.test:4010', '127.0.0.1', ['api.internal.test'])).toBe(true);
    expect(isAllowedHost('other.internal.test:4010', '127.0.0.1', ['api.internal.test'])).toBe(false);
  });

  it('takes any Host for a server bound beyond loopback, which the user meant to be reached', () => {
    expect(isAllowedHost('devbox.lan:4010', '0.0.0.0')).toBe(true);
    expect(isAllowedHost('attacker.example', '::')).toBe(true);
    expect(isAllowedHost('attacker.example', '::1')).toBe(false);
  });
});
