import type http from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RelayChannel } from '../../src/relay/channel.js';
import { PendingSenders } from '../../src/relay/pending-senders.js';

const res = () => ({}) as http.ServerResponse;
const sender = (r: http.ServerResponse, channel = 'ch_x', path = '/') => ({
  res: r,
  channel,
  method: 'POST',
  path,
  started: 0,
});

describe('pending senders', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives each waiting sender to exactly one taker, clears its deadline, and counts per channel', () => {
    const pending = new PendingSenders();
    const deadline = vi.fn();
    const r = res();
    pending.add('1', sender(r), 1000, deadline);
    pending.add('2', sender(res(), 'ch_y'), 1000, () => {});
    expect(pending.countFor('ch_x')).toBe(1);
    expect(pending.channelOf('1')).toBe('ch_x');
    expect(pending.isWaiting('1', r)).toBe(true);
    expect(pending.take('1')?.res).toBe(r);
    expect(pending.take('1')).toBeUndefined();
    expect(pending.countFor('ch_x')).toBe(0);
    expect(pending.size).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(deadline).not.toHaveBeenCalled();
  });

  it('runs the deadline of a sender nobody answered', () => {
    const pending = new PendingSenders();
    const deadline = vi.fn();
    pending.add('1', sender(res()), 1000, deadline);
    vi.advanceTimersByTime(999);
    expect(deadline).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(deadline).toHaveBeenCalledOnce();
  });

  it('hands over every waiting sender at once', () => {
    const pending = new PendingSenders();
    for (const id of ['a', 'b', 'c']) pending.add(id, sender(res(), 'ch_x', `/${id}`), 1000, () => {});
    expect(pending.takeAll().map((s) => s.path)).toEqual(['/a', '/b', '/c']);
    expect(pending.size).toBe(0);
  });
});

describe('relay channel', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the channel during a grace period, which a reconnection cancels', () => {
    const channel = new RelayChannel('ch_x');
    const expired = vi.fn();
    channel.startGrace(500, expired);
    expect(channel.idle).toBe(false);
    channel.stopGrace();
    vi.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();
    expect(channel.idle).toBe(true);
    channel.startGrace(500, expired);
    vi.advanceTimersByTime(500);
    expect(expired).toHaveBeenCalledOnce();
    expect(channel.idle).toBe(true);
  });

  it('is not idle while requests are in flight, until their senders stop waiting', () => {
    const channel = new RelayChannel('ch_x');
    channel.inFlight.set('a', 1_000);
    channel.inFlight.set('b', 2_000);
    channel.pruneExpired(1_500);
    expect([...channel.inFlight.keys()]).toEqual(['b']);
    expect(channel.idle).toBe(false);
    channel.pruneExpired(2_000);
    expect(channel.idle).toBe(true);
  });
});
