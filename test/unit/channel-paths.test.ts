/** How a public URL names its channel, where a tunnelled path lands, and the relay URL a client connects to. */
import { describe, expect, it } from 'vitest';
import { endToEndHeaders } from '../../src/core/http-headers.js';
import { localPathFor, normaliseRelayUrl, splitChannelPath } from '../../src/tunnel/channel-paths.js';

describe('forwarding rules', () => {
  const channel = `ch_${'a'.repeat(22)}`;

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
    expect(
      endToEndHeaders({
        connection: 'keep-alive',
        'transfer-encoding': 'chunked',
        'content-length': '3',
        'x-webhook-signature': 'sha256=ab',
        'set-cookie': ['a', 'b'],
        absent: undefined,
      }),
    ).toEqual({ 'x-webhook-signature': 'sha256=ab', 'set-cookie': ['a', 'b'] });
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
