/**
 * `trigger`'s random choices: the fault flags checked, the seed (given, or drawn and printed so
 * the run can be repeated), the send plan, and a `--scenario`'s deliveries. What draws the
 * choices (pure-rand) and the scenario modules load only when a run asks for them.
 */

import type { SendPlan } from '../core/fault-plan.js';
import { type DelayRange, type FaultOptions, hasFaults, MAX_SEED } from '../core/fault-values.js';
import { UsageError } from '../errors.js';
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
export async function chooseFaults(flags: FaultFlags, scenario: boolean): Promise<FaultChoices> {
  if (flags.concurrentDuplicates && !flags.duplicates) {
    throw new UsageError(
      '--concurrent-duplicates says when duplicates go, but none are asked for',
      'add --duplicates F, e.g. --duplicates 0.3 --concurrent-duplicates',
    );
  }
  const faults: FaultOptions = {
    duplicates: flags.duplicates,
    concurrentDuplicates: flags.concurrentDuplicates,
    shuffle: flags.shuffle,
    jitter: flags.jitter,
  };
  if (!hasFaults(faults) && !scenario && flags.seed === undefined) return { faults };
  const { randomSeed } = await import('../core/seeded-random.js');
  return { seed: flags.seed ?? randomSeed(), faults };
}

/** The plan for `total` deliveries, or undefined when they simply go in order. */
export async function planFor(choices: FaultChoices, total: number): Promise<SendPlan | undefined>;
/** A load run that only its duration ends has no total: it is planned a block at a time. */
export async function planFor(choices: FaultChoices, total: number | undefined): Promise<PositionPlan | undefined>;
export async function planFor(choices: FaultChoices, total: number | undefined): Promise<PositionPlan | undefined> {
  if (choices.seed === undefined || !hasFaults(choices.faults)) return undefined;
  const { planSends } = await import('../core/fault-plan.js');
  const { seed, faults } = choices;
  if (total !== undefined) return planSends(total, faults, seed);
  // Each block from the next seed, so the same seed still repeats the run.
  let block = { index: 0, plan: planSends(PLAN_BLOCK, faults, seed) };
  return {
    at(position) {
      const index = Math.floor(position / PLAN_BLOCK);
      if (index !== block.index)
        block = { index, plan: planSends(PLAN_BLOCK, faults, (seed + index) % (MAX_SEED + 1)) };
      const planned = block.plan.at(position % PLAN_BLOCK);
      return { ...planned, delivery: index * PLAN_BLOCK + planned.delivery };
    },
  };
}

/** Which delivery goes at each position of a run, and how. */
export type PositionPlan = Pick<SendPlan, 'at'>;

const PLAN_BLOCK = 10_000;

/** `--scenario NAME|FILE`: its deliveries, ids drawn from `seed`; it brings its own events and fields. */
export async function prepareScenarioOption(
  nameOrFile: string,
  flags: { types: string[]; all?: boolean; data?: string; set?: string[] },
  seed: number,
): Promise<{ prepared: PreparedDelivery[]; name: string }> {
  const clash = flags.types.length
    ? `event types (${flags.types.join(' ')})`
    : flags.all
      ? '--all'
      : flags.data !== undefined
        ? '--data'
        : flags.set?.length
          ? '--set'
          : undefined;
  if (clash)
    throw new UsageError(
      `--scenario sends its own events and fields, so ${clash} cannot go with it`,
      'drop one of them; to change a scenario, copy it with `webhooks-cli scenarios show NAME > mine.json` and edit its steps',
    );
  const [{ loadScenario }, { ScenarioError }, { prepareScenario }, { seededRandom }] = await Promise.all([
    import('../scenarios/scenario-catalogue.js'),
    import('../scenarios/scenario.js'),
    import('./scenario-deliveries.js'),
    import('../core/seeded-random.js'),
  ]);
  try {
    const { scenario } = loadScenario(nameOrFile);
    return { prepared: prepareScenario(scenario, nameOrFile, seededRandom(seed)), name: scenario.name };
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message, err.hint);
    throw err;
  }
}
