import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelIdForToken, newChannelToken } from '../../src/tunnel/channel-token.js';
import { headerState } from '../../src/tunnel/listen-tunnel.js';
import { ChannelStore } from '../../src/tunnel/saved-channels.js';
import { tempDir } from '../helpers/cli.js';

describe('relay state in the listener header', () => {
  const base = { relayUrl: 'ws://r/connect', attempts: 0 };

  it('shows connected with the public URL', () => {
    expect(headerState({ ...base, state: 'connected', publicUrl: 'http://r/ch_x' })).toEqual({
      state: 'connected',
      publicUrl: 'http://r/ch_x',
    });
  });

  it('says why it is reconnecting, when it retries (as a clock time) and how many tries failed', () => {
    const now = new Date(2026, 10, 30, 9, 15, 2).getTime();
    expect(
      headerState({ ...base, attempts: 4, state: 'reconnecting', retryInMs: 5000, error: 'connection refused' }, now)
        .message,
    ).toBe('connection refused, retrying in 5 s at 09:15:07 (4 tries failed)');
    expect(
      headerState(
        { ...base, attempts: 5, state: 'reconnecting', retryInMs: 5000, error: 'connection refused' },
        now + 5000,
      ).message,
    ).toBe('connection refused, retrying in 5 s at 09:15:12 (5 tries failed)');
    expect(
      headerState({ ...base, attempts: 2, state: 'reconnecting', retryInMs: 100, error: 'reset' }, now).message,
    ).toBe('reset, retrying in 100 ms (2 tries failed)');
    expect(headerState({ ...base, attempts: 1, state: 'reconnecting', retryInMs: 0 }, now).message).toBe(
      'connection lost, retrying now',
    );
  });

  it('shows a refused or taken-over channel as disconnected with the reason', () => {
    expect(headerState({ ...base, state: 'refused', error: 'the relay refused channel ch_x' })).toEqual({
      state: 'disconnected',
      publicUrl: undefined,
      message: 'the relay refused channel ch_x',
    });
    expect(headerState({ ...base, state: 'replaced', error: 'taken over' }).state).toBe('disconnected');
  });
});

describe('channel store', () => {
  const dir = () => tempDir('channel-store-');
  const credentials = () => {
    const token = newChannelToken();
    return { channel: channelIdForToken(token), token, publicUrl: 'http://relay/ch' };
  };

  it('keeps one channel per relay URL in an owner-only file', () => {
    const store = new ChannelStore(join(dir(), 'nested', 'relay-channels.json'));
    const a = credentials();
    const b = credentials();
    store.save('ws://a/connect', a);
    store.save('ws://b/connect', b);
    expect(store.load('ws://a/connect')).toEqual(a);
    expect(store.load('ws://b/connect')).toEqual(b);
    expect(store.load('ws://c/connect')).toBeUndefined();
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(store.path, 'utf8')))).toEqual(['ws://a/connect', 'ws://b/connect']);
  });

  it('treats a damaged file or entry as no channel', () => {
    const path = join(dir(), 'relay-channels.json');
    writeFileSync(path, '{not json');
    expect(new ChannelStore(path).load('ws://a/connect')).toBeUndefined();
    writeFileSync(path, JSON.stringify({ 'ws://a/connect': { channel: 'ch_x', token: 42 } }));
    expect(new ChannelStore(path).load('ws://a/connect')).toBeUndefined();
  });

  it('says which file it could not write and how to fix it', () => {
    const blocker = join(dir(), 'file');
    writeFileSync(blocker, '');
    const store = new ChannelStore(join(blocker, 'relay-channels.json'));
    expect(() => store.save('ws://a/connect', credentials())).toThrow(
      /cannot store the relay channel in .*relay-channels\.json/,
    );
  });
});
