/** Running counts of what a listener received, and its recent rate. Pure: fed records, read any time. */
import type { DeliveryRecord } from '../store/delivery-record.js';

export interface ListenerStats {
  received: number;
  valid: number;
  invalid: number;
  duplicates: number;
  /** Answers outside 2xx (401, 404, 413, an app's 500, …). */
  failed: number;
  /** Requests per second over the last `RATE_WINDOW_SECONDS`. */
  ratePerSecond: number;
}

const RATE_WINDOW_SECONDS = 5;

export class StatsCounter {
  #received = 0;
  #valid = 0;
  #invalid = 0;
  #duplicates = 0;
  #failed = 0;
  /** Requests per whole second, keyed by second; only the last few seconds are kept. */
  readonly #perSecond = new Map<number, number>();

  add(record: Pick<DeliveryRecord, 'signatureValid' | 'duplicate' | 'status'>, now = Date.now()): void {
    this.#received++;
    if (record.signatureValid === true) this.#valid++;
    if (record.signatureValid === false) this.#invalid++;
    if (record.duplicate) this.#duplicates++;
    if (record.status === null || record.status < 200 || record.status > 299) this.#failed++;
    const second = Math.floor(now / 1000);
    this.#perSecond.set(second, (this.#perSecond.get(second) ?? 0) + 1);
    if (this.#perSecond.size > RATE_WINDOW_SECONDS + 2) {
      for (const key of this.#perSecond.keys())
        if (key <= second - RATE_WINDOW_SECONDS - 1) this.#perSecond.delete(key);
    }
  }

  snapshot(now = Date.now()): ListenerStats {
    // The current second is incomplete: count the last full seconds.
    const current = Math.floor(now / 1000);
    let recent = 0;
    for (const [second, n] of this.#perSecond)
      if (second < current && second >= current - RATE_WINDOW_SECONDS) recent += n;
    return {
      received: this.#received,
      valid: this.#valid,
      invalid: this.#invalid,
      duplicates: this.#duplicates,
      failed: this.#failed,
      ratePerSecond: recent / RATE_WINDOW_SECONDS,
    };
  }
}
