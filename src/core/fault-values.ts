/**
 * The values of the fault options: `--jitter RANGE` (`0-500ms`, `100ms-2s`, `1-3s`, or `250ms`
 * for a fixed delay), `--duplicates F` (a share) and `--seed N`. CommonJS because the option
 * parsers on the start-up path (src/cli/parse.cts) use it too.
 */

/** Seeds are whole numbers from 0 to this (32 bits). */
export const MAX_SEED = 2 ** 32 - 1;
/** The largest `smoke --seed`: fast-check takes 31-bit seeds. */
export const FUZZ_MAX_SEED = 2 ** 31 - 1;

export interface DelayRange {
  minMs: number;
  maxMs: number;
}

/** setTimeout's ceiling. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const RANGE = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?(?:\s*-\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?)?$/;

/**
 * Parses a delay range, or throws a RangeError whose message says what was expected. A bare
 * number is milliseconds; a unit written once, after the range, applies to both ends.
 */
export function parseDelayRange(text: string): DelayRange {
  const m = RANGE.exec(text.trim());
  if (!m) throw new RangeError('expected a delay range such as 0-500ms, 100ms-2s or 250ms');
  const [, low, lowUnit, high, highUnit] = m;
  // `0-500ms`: the unit after the range is the unit of both ends.
  const minMs = Math.round(Number(low) * UNIT_MS[lowUnit ?? (high === undefined ? 'ms' : (highUnit ?? 'ms'))]!);
  const maxMs = high === undefined ? minMs : Math.round(Number(high) * UNIT_MS[highUnit ?? 'ms']!);
  if (maxMs < minMs)
    throw new RangeError(
      `the range ends (${maxMs} ms) below where it starts (${minMs} ms); write the smaller delay first`,
    );
  if (maxMs > MAX_DELAY_MS) throw new RangeError(`delays are limited to ${MAX_DELAY_MS} ms`);
  return { minMs, maxMs };
}

/** `0-500ms`, `250ms`: a range as the user would write it. */
export function formatDelayRange({ minMs, maxMs }: DelayRange): string {
  return minMs === maxMs ? `${minMs}ms` : `${minMs}-${maxMs}ms`;
}

export interface FaultOptions {
  /** Share of the deliveries (0–1) sent a second time: same delivery id, bytes and signature. */
  duplicates?: number;
  /** The copy goes at the same moment as the original instead of right after its answer. */
  concurrentDuplicates?: boolean;
  /** Send in a random order. */
  shuffle?: boolean;
  /** A random delay before each send. */
  jitter?: DelayRange;
}

/** Whether any fault is asked for (otherwise nothing random happens and no seed is needed). */
export function hasFaults(options: FaultOptions): boolean {
  return (options.duplicates ?? 0) > 0 || Boolean(options.shuffle) || options.jitter !== undefined;
}

/** Whether `n` is a share from 0 to 1 (`--duplicates`). */
export function isShare(n: number): boolean {
  return Number.isFinite(n) && n >= 0 && n <= 1;
}
