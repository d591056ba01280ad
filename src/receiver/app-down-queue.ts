/**
 * `listen --forward-to … --app-down hold`: one app's deliveries while it is down. A delivery the
 * app could not take (it refused the connection, or answered 502/503/504) is held — the sender
 * is answered 202 — and the app is retried with backoff; once it answers, the held deliveries go
 * to it one at a time, in arrival order (another 5xx is retried a few times, then given up and
 * recorded with the app's answer). While anything is held, a new delivery joins the queue
 * behind it rather than overtaking it, so the app sees the stream in order. The queue is in
 * memory; the history has every held delivery marked (app_held), so one still held when listen
 * stops is taken up again by the next `listen --app-down hold` on that history.
 */
import type { Forward, ForwardResult } from './forwarder.js';
import type { RawRequest } from './raw-exchange.js';

/** Waits between tries of an app that is down: quick at first (a restart takes a second), then every 5 s. */
export const APP_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 5_000] as const;

/** Held at most per app; past it, a delivery is answered as with --app-down fail (the sender retries). */
export const MAX_HELD_FOR_APP = 10_000;

/**
 * Tries of a held delivery the app answers with another 5xx once it is back: the sender was told
 * 202, so listen retries in its place (with the same backoff), as the platform would retry a 5xx —
 * but not for ever: a delivery the app keeps failing would block every one behind it.
 */
export const MAX_PASS_ON_TRIES = 6;

/** `result`: the app's answer now · `passedOn`: held; settles with the app's answer once it took it. */
export type AppForwarding = { result: ForwardResult } | { passedOn: Promise<ForwardResult> };

interface Waiting {
  request: RawRequest;
  settle: (result: ForwardResult) => void;
  /** Answers of 5xx to it so far, since the app came back. */
  failures: number;
}

export class AppDownQueue {
  readonly #forward: Forward;
  readonly #onChange: (held: number) => void;
  readonly #delays: readonly number[];
  readonly #max: number;
  #queue: Waiting[] = [];
  #tries = 0;
  #retry: NodeJS.Timeout | undefined;
  #sending = false;
  #closed = false;

  constructor(
    forward: Forward,
    onChange: (held: number) => void,
    { delaysMs = APP_RETRY_DELAYS_MS, max = MAX_HELD_FOR_APP }: { delaysMs?: readonly number[]; max?: number } = {},
  ) {
    this.#forward = forward;
    this.#onChange = onChange;
    this.#delays = delaysMs;
    this.#max = max;
  }

  /** How many deliveries are held for the app now. */
  get held(): number {
    return this.#queue.length;
  }

  /** Forwards `request` now, unless deliveries are held (it joins them) or the app turns out to be down (it is held). */
  async forward(request: RawRequest): Promise<AppForwarding> {
    if (this.#queue.length > 0 && this.#queue.length < this.#max && !this.#closed)
      return { passedOn: this.hold(request) };
    const result = await this.#forward(request);
    if (!result.appDown || this.#closed || this.#queue.length >= this.#max) return { result };
    return { passedOn: this.hold(request) };
  }

  /** Holds `request` behind the others (also: one the history says was still held when listen last stopped). */
  hold(request: RawRequest): Promise<ForwardResult> {
    return new Promise((settle) => {
      this.#queue.push({ request, settle, failures: 0 });
      this.#onChange(this.#queue.length);
      if (!this.#sending && !this.#retry) this.#schedule();
    });
  }

  /** Stops retrying; returns how many deliveries were still held (the history has them, marked). */
  close(): number {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    return this.#queue.length;
  }

  #schedule(): void {
    if (this.#closed) return;
    const delay = this.#delays[Math.min(this.#tries, this.#delays.length - 1)]!;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#sendHeld();
    }, delay);
    this.#retry.unref();
  }

  /** Passes the held deliveries on, oldest first, one at a time, until the app is down again or none is left. */
  async #sendHeld(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const head = this.#queue[0]!;
        const result = await this.#forward(head.request);
        const failed = !result.appDown && result.response.status >= 500;
        if (result.appDown || (failed && ++head.failures < MAX_PASS_ON_TRIES)) {
          this.#tries += 1;
          this.#schedule();
          return;
        }
        this.#tries = 0;
        this.#queue.shift();
        head.settle(result);
        this.#onChange(this.#queue.length);
      }
    } finally {
      this.#sending = false;
    }
  }
}
