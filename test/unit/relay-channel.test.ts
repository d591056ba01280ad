import type http from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RelayChannel } from '../../src/tunnel/relay-channel.js';

const res = () => ({}) as http.ServerResponse;

describe('relay channel', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives each waiting sender to exactly one taker and clears its deadline', () => {
    const channel = new RelayChannel('ch_x');
    const deadline = vi.fn();
    const r = res();
    channel.wait('1', { res: r, method: 'POST', path: '/', started: 0 }, 1000, deadline);
    expect(channel.idle).toBe(false);
    expect(channel.isWaiting('1', r)).toBe(true);
    expect(channel.take('1')?.res).toBe(r);
    expect(channel.take('1')).toBeUndefined();
    vi.advanceTimersByTime(2000);
    expect(deadline).not.toHaveBeenCalled();
    expect(channel.idle).toBe(true);
  });

  it('runs the deadline of a sender nobody answered', () => {
    const channel = new RelayChannel('ch_x');
    const deadline = vi.fn();
    channel.wait('1', { res: res(), method: 'POST', path: '/', started: 0 }, 1000, deadline);
    vi.advanceTimersByTime(999);
    expect(deadline).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(deadline).toHaveBeenCalledOnce();
  });

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

  it('hands over every waiting sender at once', () => {
    const channel = new RelayChannel('ch_x');
    for (const id of ['a', 'b', 'c']) channel.wait(id, { res: res(), method: 'POST', path: `/${id}`, started: 0 }, 1000, () => {});
    expect(channel.takeAll().map((s) => s.path)).toEqual(['/a', '/b', '/c']);
    expect(channel.waitingCount).toBe(0);
  });
});
