/**
 * Deliveries as the platform sends them at its worst — duplicates, disorder, delay — planned up
 * front from a seed, so any run can be repeated. Pure: `trigger` sends the plan, the emulator's
 * delivery engine draws the same faults one delivery at a time, and checks can predict both:
 *
 *   const plan = planSends(events.length, { duplicates: 0.5, shuffle: true }, seed);
 *   for (const { delivery, copy, delayMs } of plannedRequests(plan)) … // send events[delivery]
 *
 *   const faults = new FaultStream({ duplicates: 0.2, jitter: { minMs: 0, maxMs: 500 } }, seed);
 *   faults.next(); // { duplicate, delayMs } for the next delivery, as `serve` draws it
 */
import type { DelayRange, FaultOptions } from './fault-values.js';
import { type SeededRandom, seededRandom } from './seeded-random.js';

export { type DelayRange, type FaultOptions, hasFaults } from './fault-values.js';

/** When a duplicate goes: after the original's answer, or together with it. */
export type DuplicateTiming = 'after-answer' | 'concurrent';

/** One delivery's turn in the plan. */
export interface PlannedSend {
  /** Which delivery (0 … count-1, in the order given). */
  delivery: number;
  /** Wait this long before sending it. */
  delayMs: number;
  /** Sent twice, and when the copy goes; undefined for a single send. */
  duplicate: DuplicateTiming | undefined;
}

export interface SendPlan {
  readonly seed: number;
  readonly count: number;
  /** How many deliveries are sent twice. */
  readonly duplicates: number;
  /** The delivery sent at `position` (0 … count-1) and how. */
  at(position: number): PlannedSend;
}

/** One request as it goes out when the plan is sent one delivery at a time. */
export interface PlannedRequest {
  delivery: number;
  /** The second send of this delivery. */
  copy: boolean;
  delayMs: number;
}

/**
 * Plans `count` deliveries. The choices are drawn in a fixed order — the shuffle, then which
 * deliveries are duplicated (exactly round(share × count), chosen at random), then one delay per
 * send — so the same count, options and seed always give the same plan.
 */
export function planSends(count: number, options: FaultOptions, seed: number): SendPlan {
  const random = seededRandom(seed);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (options.shuffle) random.shuffle(order);
  const duplicated = chooseShare(count, options.duplicates ?? 0, random);
  const delays = options.jitter ? drawDelays(count, options.jitter, random) : undefined;
  const timing: DuplicateTiming = options.concurrentDuplicates ? 'concurrent' : 'after-answer';
  let duplicates = 0;
  for (const d of duplicated) duplicates += d;
  return {
    seed,
    count,
    duplicates,
    at(position) {
      const delivery = order[position]!;
      return { delivery, delayMs: delays?.[position] ?? 0, duplicate: duplicated[delivery] ? timing : undefined };
    },
  };
}

/** The requests in the order they go out when deliveries are sent one at a time. */
export function plannedRequests(plan: SendPlan): PlannedRequest[] {
  const requests: PlannedRequest[] = [];
  for (let position = 0; position < plan.count; position++) {
    const { delivery, delayMs, duplicate } = plan.at(position);
    requests.push({ delivery, copy: false, delayMs });
    if (duplicate) requests.push({ delivery, copy: true, delayMs: 0 });
  }
  return requests;
}

/** One delivery's faults, drawn as it arrives (the emulator, where deliveries come one by one). */
export interface DrawnFaults {
  duplicate: boolean;
  delayMs: number;
}

/**
 * Faults for a stream of deliveries: each is duplicated with probability `duplicates` and
 * delayed by a draw from `jitter`. The same seed and the same arrivals give the same faults.
 */
export class FaultStream {
  readonly seed: number;
  readonly #random: SeededRandom;
  readonly #options: FaultOptions;

  constructor(options: FaultOptions, seed: number) {
    this.seed = seed;
    this.#random = seededRandom(seed);
    this.#options = options;
  }

  next(): DrawnFaults {
    const duplicate = this.#random.chance(this.#options.duplicates ?? 0);
    const jitter = this.#options.jitter;
    return { duplicate, delayMs: jitter ? this.#random.int(jitter.minMs, jitter.maxMs) : 0 };
  }
}

/** Marks exactly round(share × count) of `count` items, chosen at random (partial Fisher–Yates). */
function chooseShare(count: number, share: number, random: SeededRandom): Uint8Array {
  const chosen = new Uint8Array(count);
  const k = Math.round(Math.min(Math.max(share, 0), 1) * count);
  if (k === 0) return chosen;
  if (k === count) return chosen.fill(1);
  const pool = new Uint32Array(count);
  for (let i = 0; i < count; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = random.int(i, count - 1);
    const pick = pool[j]!;
    pool[j] = pool[i]!;
    pool[i] = pick;
    chosen[pick] = 1;
  }
  return chosen;
}

function drawDelays(count: number, { minMs, maxMs }: DelayRange, random: SeededRandom): Uint32Array {
  const delays = new Uint32Array(count);
  for (let i = 0; i < count; i++) delays[i] = random.int(minMs, maxMs);
  return delays;
}
