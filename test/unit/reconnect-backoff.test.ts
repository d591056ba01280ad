/** The tunnel client's reconnect delays. */
import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from '../../src/tunnel/reconnect-backoff.js';

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
