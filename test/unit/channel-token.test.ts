/** Channel tokens: a channel id is derived from the token its listener keeps. */
import { describe, expect, it } from 'vitest';
import {
  channelIdForToken,
  isWellFormedChannelId,
  newChannelToken,
  tokenOpensChannel,
} from '../../src/tunnel/channel-token.js';

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
