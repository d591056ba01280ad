/**
 * Shrinks a JSON payload that a receiver fails on to a small one it still fails on, largest steps
 * first (delta debugging): an array's items away, all of them, then halves, quarters, … single
 * items; optional fields away; strings cut the same way, then made plain ("a"); numbers to 0 or 1.
 * A candidate is tried only when it is still valid (`isValid`: the event's schema), and kept only
 * when `stillFails` (a request to the receiver) says the receiver still fails on it. Passes repeat
 * until one changes nothing, or the deadline or the number of tries is reached. No I/O of its own.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a string that cannot be empty is made plain with; numbers are tried as these, in order. */
const PLAIN_TEXT = 'a';
const SIMPLE_NUMBERS = [0, 1];
type Path = ReadonlyArray<string | number>;

export interface ShrinkOptions {
  /** Whether a candidate may be sent at all (schema-valid). Cheap: called before each try. */
  isValid: (candidate: unknown) => boolean;
  /** Sends a candidate; true when the receiver still fails on it. */
  stillFails: (candidate: unknown) => Promise<boolean>;
  /** `performance.now()` after which no further try starts. */
  deadline: number;
  /** At most this many tries (requests). */
  maxTries: number;
  /** True once the run is stopped (Ctrl-C): no further try starts. */
  stopped?: () => boolean;
}

export interface ShrinkResult {
  value: unknown;
  /** Candidates kept (each one smaller than the one before). */
  steps: number;
  /** Candidates sent to the receiver. */
  tries: number;
  /** Why it ended before nothing more would shrink, if it did. */
  cut?: 'time' | 'tries' | 'stopped';
}

export async function shrinkPayload(start: unknown, options: ShrinkOptions): Promise<ShrinkResult> {
  let current = start as Json;
  let steps = 0;
  let tries = 0;
  let cut: ShrinkResult['cut'];
  const outOfBudget = (): boolean => {
    cut ??= options.stopped?.()
      ? 'stopped'
      : performance.now() > options.deadline
        ? 'time'
        : tries >= options.maxTries
          ? 'tries'
          : undefined;
    return cut !== undefined;
  };
  /** Tries `candidate`; keeps it when it is valid and the receiver still fails on it. */
  const attempt = async (candidate: Json): Promise<boolean> => {
    if (outOfBudget() || !options.isValid(candidate)) return false;
    tries++;
    if (!(await options.stillFails(candidate))) return false;
    current = candidate;
    steps++;
    return true;
  };

  for (let changed = true; changed && !outOfBudget(); ) {
    changed = false;
    // Outermost first: an array item removed takes everything inside it along.
    for (const path of sitesOf(current)) {
      if (outOfBudget()) break;
      const here = at(current, path);
      if (here === undefined) continue; // gone with an earlier step of this pass
      if (Array.isArray(here)) {
        changed =
          (await removeChunks(here.length, (from, to) =>
            attempt(withValue(current, path, removeRange(at(current, path) as Json[], from, to))),
          )) || changed;
      } else if (typeof here === 'string') {
        const text = (s: Json) => Array.from(s as string);
        changed =
          (await removeChunks(text(here).length, (from, to) =>
            attempt(withValue(current, path, removeRange(text(at(current, path)!), from, to).join(''))),
          )) || changed;
        // What is left, plain: a field that must not be empty keeps failing with "a" only if it is not the cause.
        if (at(current, path) !== PLAIN_TEXT)
          changed = (await attempt(withValue(current, path, PLAIN_TEXT))) || changed;
      } else if (typeof here === 'number') {
        for (const simpler of SIMPLE_NUMBERS)
          if (Math.abs(at(current, path) as number) > simpler)
            changed = (await attempt(withValue(current, path, simpler))) || changed;
      } else if (here !== null && typeof here === 'object') {
        for (const key of Object.keys(here)) changed = (await attempt(withoutKey(current, path, key))) || changed;
      }
    }
  }
  return { value: current, steps, tries, cut };
}

/**
 * Delta debugging over `length` items: removes all of them, then halves, quarters, … single items, each
 * chunk at a time; `tryRemoving(from, to)` says whether removing that range was kept. A kept
 * removal shortens the list, so the same place is tried again with the same chunk size.
 */
async function removeChunks(length: number, tryRemoving: (from: number, to: number) => Promise<boolean>) {
  let changed = false;
  let size = length;
  for (let chunk = length; chunk >= 1 && size > 0; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let from = 0; from < size; ) {
      const to = Math.min(size, from + chunk);
      if (await tryRemoving(from, to)) {
        size -= to - from;
        changed = true;
      } else from = to;
    }
  }
  return changed;
}

/** Every place in `value` that may shrink: containers, strings and numbers, outermost first. */
function sitesOf(value: Json): Path[] {
  const sites: Path[] = [];
  const queue: Array<{ path: Path; value: Json }> = [{ path: [], value }];
  while (queue.length) {
    const { path, value: here } = queue.shift()!;
    if (typeof here === 'string' || typeof here === 'number') sites.push(path);
    else if (Array.isArray(here)) {
      sites.push(path);
      here.forEach((item, i) => void queue.push({ path: [...path, i], value: item }));
    } else if (here !== null && typeof here === 'object') {
      sites.push(path);
      for (const [key, item] of Object.entries(here)) queue.push({ path: [...path, key], value: item });
    }
  }
  return sites;
}

function at(value: Json, path: Path): Json | undefined {
  let here: Json | undefined = value;
  for (const step of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, Json>)[step];
  }
  return here;
}

/** A copy of `value` with the value at `path` replaced (only the containers on the way are copied). */
function withValue(value: Json, path: Path, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [step, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = value.slice();
    copy[step as number] = withValue(value[step as number]!, rest, replacement);
    return copy;
  }
  const object = value as Record<string, Json>;
  return { ...object, [step!]: withValue(object[step as string]!, rest, replacement) };
}

function withoutKey(value: Json, path: Path, key: string): Json {
  const { [key]: _removed, ...rest } = at(value, path) as Record<string, Json>;
  return withValue(value, path, rest);
}

function removeRange<T>(items: readonly T[], from: number, to: number): T[] {
  return [...items.slice(0, from), ...items.slice(to)];
}
