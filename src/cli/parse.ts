/** Option value parsers for commander: a bad value is a usage error (exit 2) naming the flag. */
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { type DelayRange, FUZZ_MAX_SEED, isShare, MAX_SEED, parseDelayRange } from '../core/fault-values.js';

export { FUZZ_MAX_SEED, MAX_SEED };

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`,
      );
    }
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number greater than 0');
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10`, `10s`, `1.5s`, `500ms`, `5m`, `72h`, `7d` → milliseconds. A bare number means seconds. */
export function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 10s, 2.5s or 500ms');
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
  if (ms <= 0) throw new InvalidArgumentError('expected a duration greater than 0');
  return ms;
}

/** `listen --backlog`: `all`, `none`, or a duration (the newest held deliveries only) in milliseconds. */
export function backlogChoice(value: string): 'all' | 'none' | number {
  const word = value.trim().toLowerCase();
  if (word === 'all' || word === 'none') return word;
  try {
    return duration(value);
  } catch {
    throw new InvalidArgumentError('expected all, none, or a duration such as 30m or 24h');
  }
}

/** Collects a repeatable option into an array (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Collects a repeatable option that may also be comma-separated (`--events a,b --events c`). */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** `1048576`, `512kb`, `1mb`, `1.5MiB` → bytes (binary units: 1 kb = 1024 bytes). */
export function byteSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a size such as 1048576, 512kb or 2mb');
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const bytes = Math.floor(
    Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1),
  );
  if (bytes < 1) throw new InvalidArgumentError('expected a size of at least 1 byte');
  return bytes;
}

/** Like `duration`, but a bare number means milliseconds (`--respond-delay 250`). Zero is allowed. */
export function milliseconds(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected milliseconds, or a duration such as 2s or 500ms');
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

/** A share from 0 to 1 (`--duplicates 0.3`). */
export function share(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !isShare(n))
    throw new InvalidArgumentError('expected a share from 0 to 1, e.g. 0.3 for 30%');
  return n;
}

/** `0-500ms`, `100ms-2s`, `250ms` → a delay range (see core/fault-values.cts). */
export function delayRange(value: string): DelayRange {
  try {
    return parseDelayRange(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

const AGE_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An age such as `7d`, `12h`, `30m`, `2w` → milliseconds (`history prune --before`). */
export function age(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected an age such as 7d, 12h, 30m or 2w');
  const ms = Number(m[1]) * AGE_UNITS[m[2]!]!;
  if (ms <= 0) throw new InvalidArgumentError('expected an age greater than 0');
  return ms;
}
