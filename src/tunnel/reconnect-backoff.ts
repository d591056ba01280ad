/**
 * How long the tunnel client waits before reconnecting: 0, 100 ms, 1 s, then 5 s for every
 * further consecutive failure. A connection that stayed up for a healthy minute resets the
 * sequence, so one drop after hours of work reconnects at once while a flapping relay is not
 * hammered.
 */

export const RECONNECT_DELAYS_MS: readonly number[] = [0, 100, 1_000, 5_000];
export const HEALTHY_CONNECTION_MS = 60_000;

export class ReconnectBackoff {
  private failures = 0;
  private connectedAt: number | undefined;

  constructor(
    private readonly delaysMs: readonly number[] = RECONNECT_DELAYS_MS,
    private readonly healthyAfterMs = HEALTHY_CONNECTION_MS,
  ) {
    if (delaysMs.length === 0) throw new RangeError('at least one reconnect delay is needed');
  }

  /** A connection is up (the relay said hello) at time `now` (ms). */
  connected(now: number): void {
    this.connectedAt = now;
  }

  /** The connection dropped or an attempt failed at `now`: the delay before the next attempt. */
  nextDelay(now: number): number {
    if (this.connectedAt !== undefined && now - this.connectedAt >= this.healthyAfterMs) this.failures = 0;
    this.connectedAt = undefined;
    const delay = this.delaysMs[Math.min(this.failures, this.delaysMs.length - 1)]!;
    this.failures += 1;
    return delay;
  }

  /** Consecutive drops or failed attempts since the last reset. */
  get attempts(): number {
    return this.failures;
  }
}
