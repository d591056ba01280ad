/**
 * `trigger`'s random choices: the fault flags checked, the seed (given, or drawn and printed so
 * the run can be repeated), the send plan, and a `--scenario`'s deliveries.
 */
import { hasFaults, planSends, type DelayRange, type FaultOptions, type SendPlan } from '../core/fault-plan.js';
import { randomSeed, seededRandom } from '../core/seeded-random.js';
import { UsageError } from '../errors.js';
import { loadScenario } from '../scenarios/scenario-catalogue.js';
import { ScenarioError } from '../scenarios/scenario.js';
import { prepareScenario } from './scenario-deliveries.js';
import type { PreparedDelivery } from './trigger-service.js';

export interface FaultFlags {
  duplicates?: number;
  concurrentDuplicates?: boolean;
  shuffle?: boolean;
  jitter?: DelayRange;
  seed?: number;
}

export interface FaultChoices {
  /** Undefined when nothing random happens (no faults, no scenario, no --seed). */
  seed?: number;
  faults: FaultOptions;
  /** The scenario's name, when one is sent. */
  scenario?: string;
}

/** The faults asked for and the seed they (and a scenario's ids) are drawn from. */
export function chooseFaults(flags: FaultFlags, scenario: boolean): FaultChoices {
  if (flags.concurrentDuplicates && !flags.duplicates) {
    throw new UsageError('--concurrent-duplicates says when duplicates go, but none are asked for', 'add --duplicates F, e.g. --duplicates 0.3 --concurrent-duplicates');
  }
  const faults: FaultOptions = { duplicates: flags.duplicates, concurrentDuplicates: flags.concurrentDuplicates, shuffle: flags.shuffle, jitter: flags.jitter };
  const random = hasFaults(faults) || scenario || flags.seed !== undefined;
  return { seed: random ? flags.seed ?? randomSeed() : undefined, faults };
}

/** The plan for `total` deliveries, or undefined when they simply go in order. */
export function planFor(choices: FaultChoices, total: number): SendPlan | undefined {
  return choices.seed !== undefined && hasFaults(choices.faults) ? planSends(total, choices.faults, choices.seed) : undefined;
}

/** `--scenario NAME|FILE`: its deliveries, ids drawn from `seed`; it brings its own events and fields. */
export function prepareScenarioOption(nameOrFile: string, flags: { types: string[]; all?: boolean; data?: string; set?: string[] }, seed: number): { prepared: PreparedDelivery[]; name: string } {
  const clash = flags.types.length ? `event types (${flags.types.join(' ')})` : flags.all ? '--all' : flags.data !== undefined ? '--data' : flags.set?.length ? '--set' : undefined;
  if (clash) throw new UsageError(`--scenario sends its own events and fields, so ${clash} cannot go with it`, 'drop one of them; to change a scenario, copy it with `webhooks-cli scenarios show NAME > mine.json` and edit its steps');
  try {
    const { scenario } = loadScenario(nameOrFile);
    return { prepared: prepareScenario(scenario, nameOrFile, seededRandom(seed)), name: scenario.name };
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message, err.hint);
    throw err;
  }
}
