import { describe, expect, it } from 'vitest';
import { channelIdForToken, isWellFormedChannelId, newChannelToken, tokenOpensChannel } from '../../src/tunnel/channel-token.js';
import { endToEndHeaders } from '../../src/core/http-headers.js';
import { localPathFor, normaliseRelayUrl, splitChannelPath } from '../../src/tunnel/forwarding-rules.js';
import { ReconnectBackoff } from '../../src/tunnel/reconnect-backoff.js';

describe('channel tokens', () => {
  it('derives a well-formed, stable channel id that only its token opens', () => {
    const token = newChannelToken();
    const channel = channelIdForToken(token);
    expect(isWellFormedChannelId(channel)).toBe(true);
    expect(channelIdForToken(token)).toBe(channel);
    expect(tokenOpensChannel(token, channel)).toBe(true);
    expect(tokenOpensChannel(newChannelToken(), channel)).toBe(false);
    expect(tokenOpensChannel('short', channel)).toBe(false);
    expect(tokenOpensChannel(token, 'ch_nope')).toBe(false);
    expect(newChannelToken()).not.toBe(token);
  });
});

describe('reconnect backoff', () => {
  it('waits 0, 100 ms, 1 s, then 5 s for consecutive failures', () => {
    const b = new ReconnectBackoff();
    expect([0, 1, 2, 3, 4, 5].map((t) => b.nextDelay(t))).toEqual([0, 100, 1000, 5000, 5000, 5000]);
  });

  it('keeps escalating when a connection drops before a healthy minute', () => {
    const b = new ReconnectBackoff();
    expect(b.nextDelay(0)).toBe(0);
    b.connected(10);
    expect(b.nextDelay(30_000)).toBe(100);
  });

  it('starts again from 0 after a connection stayed up a minute', () => {
    const b = new ReconnectBackoff();
    [0, 1, 2, 3].forEach((t) => b.nextDelay(t));
    b.connected(1_000);
    expect(b.nextDelay(61_000)).toBe(0);
    expect(b.nextDelay(61_001)).toBe(100);
  });
});

describe('forwarding rules', () => {
  const channel = 'ch_' + 'a'.repeat(22);

  it('finds the channel and the rest of the path', () => {
    expect(splitChannelPath(`/${channel}`)).toEqual({ channel, rest: '/' });
    expect(splitChannelPath(`/${channel}/orders?x=1`)).toEqual({ channel, rest: '/orders?x=1' });
    expect(splitChannelPath(`/${channel}?x=1`)).toEqual({ channel, rest: '/?x=1' });
    expect(splitChannelPath('/healthz')).toBeUndefined();
    expect(splitChannelPath(`/${channel}x`)).toBeUndefined();
  });

  it('lands the channel root on the listener path and appends deeper paths', () => {
    expect(localPathFor('/', '/webhook')).toBe('/webhook');
    expect(localPathFor('/?a=1', '/webhook')).toBe('/webhook?a=1');
    expect(localPathFor('/orders', '/webhook/')).toBe('/webhook/orders');
    expect(localPathFor('/orders')).toBe('/orders');
    expect(localPathFor('/')).toBe('/');
  });

  it('drops hop-by-hop headers and keeps the signature headers', () => {
    expect(endToEndHeaders({ connection: 'keep-alive', 'transfer-encoding': 'chunked', 'content-length': '3', 'x-webhook-signature': 'sha256=ab', 'set-cookie': ['a', 'b'], absent: undefined }))
      .toEqual({ 'x-webhook-signature': 'sha256=ab', 'set-cookie': ['a', 'b'] });
  });
});

describe('relay URL', () => {
  it('adds /connect, turns http into ws and refuses other schemes', () => {
    expect(normaliseRelayUrl('ws://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/connect');
    expect(normaliseRelayUrl('https://relay.example.com/')).toBe('wss://relay.example.com/connect');
    expect(normaliseRelayUrl('wss://relay.example.com/tunnel/connect')).toBe('wss://relay.example.com/tunnel/connect');
    expect(() => normaliseRelayUrl('ftp://x')).toThrow(/ws:\/\//);
    expect(() => normaliseRelayUrl('relay')).toThrow();
  });
});
