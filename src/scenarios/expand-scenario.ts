/**
 * A scenario's steps as deliveries: generated ids drawn from the seed, `{{…}}` references
 * replaced, repeated steps unrolled. Pure; the trigger service applies the result to the samples.
 */
import type { Override } from '../core/payload.js';
import type { SeededRandom } from '../core/seeded-random.js';
import { REFERENCE, type Scenario } from './scenario.js';

export interface ScenarioDelivery {
  /** The step it comes from, from 1. */
  step: number;
  /** Its repetition within the step, from 1. */
  n: number;
  event: string;
  /** The step's `set`, references resolved, as `--set` overrides. */
  overrides: Override[];
}

/** `prefix_` and 12 hex digits for each variable, in the order they are declared. */
export function generateIds(variables: Record<string, string>, random: SeededRandom): Record<string, string> {
  const hex = (digits: number) =>
    random
      .int(0, 16 ** digits - 1)
      .toString(16)
      .padStart(digits, '0');
  return Object.fromEntries(Object.entries(variables).map(([name, prefix]) => [name, `${prefix}_${hex(6)}${hex(6)}`]));
}

/** The scenario's deliveries in order, with `ids` from `generateIds`. */
export function expandScenario(scenario: Scenario, ids: Record<string, string>): ScenarioDelivery[] {
  const deliveries: ScenarioDelivery[] = [];
  const sentSoFar = new Map<string, number>();
  scenario.steps.forEach((step, i) => {
    // {{count:EVENT}} counts the steps before this one, so a summary step can follow what it sums.
    const counts = new Map(sentSoFar);
    for (let n = 1; n <= step.repeat; n++) {
      const resolve = (name: string): string | number => {
        if (name === 'n') return n;
        if (name.startsWith('count:')) return counts.get(name.slice('count:'.length)) ?? 0;
        return ids[name]!;
      };
      const overrides = Object.entries(step.set).map(([path, value]): Override => {
        const resolved = substitute(value, resolve);
        return { path: path.split('.'), value: resolved, text: `${path}=${JSON.stringify(resolved)}` };
      });
      deliveries.push({ step: i + 1, n, event: step.event, overrides });
    }
    sentSoFar.set(step.event, (sentSoFar.get(step.event) ?? 0) + step.repeat);
  });
  return deliveries;
}

/** Replaces references in every string of `value`; a string that is one numeric reference becomes the number. */
function substitute(value: unknown, resolve: (name: string) => string | number): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (whole) return resolve(whole[1]!);
    return value.replace(REFERENCE, (_, name: string) => String(resolve(name)));
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, resolve));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, resolve)]));
  }
  return value;
}
