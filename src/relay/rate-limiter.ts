/**
 * Requests per second per channel, as a token bucket: `rate` tokens a second, up to `burst`
 * saved; each request takes one. A channel over its rate gets how long until the next token,
 * which the relay sends as `Retry-After`. Pure apart from the clock passed in.
 */

export type RateVerdict = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly rate: number,
    readonly burst = rate * 2,
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new RangeError('rate must be above 0 and burst at least 1');
  }

  /** Takes a token for `key` at `now` (ms). */
  take(key: string, now: number): RateVerdict {
    const bucket = this.#buckets.get(key) ?? { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.rate);
    bucket.updated = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.rate) * 1000) };
  }

  /** Forgets buckets that have refilled completely: they behave exactly like new ones. */
  sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.updated) / 1000) * this.rate >= this.burst) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}
