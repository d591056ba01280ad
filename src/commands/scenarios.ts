import type { CommandContext } from '../cli/context.js';
import { printJson, printLine } from '../cli/output.js';
import { seededRandom } from '../core/seeded-random.js';
import { prepareScenario } from '../delivery/scenario-deliveries.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { palette } from '../format/display.js';
import { type Scenario, ScenarioError } from '../scenarios/scenario.js';
import { builtInScenarios, type LoadedScenario, loadScenario } from '../scenarios/scenario-catalogue.js';

/** `scenarios list`: each built-in scenario with its steps. */
export function listScenarios(ctx: CommandContext): number {
  const all = builtInScenarios().map(({ scenario }) => scenario);
  if (ctx.json) {
    printJson(
      ctx,
      all.map((s) => ({
        name: s.name,
        description: s.description,
        deliveries: deliveryCount(s),
        events: s.steps.map((step) => step.event),
      })),
    );
    return EXIT_OK;
  }
  const c = palette(ctx.color);
  const width = Math.max(...all.map((s) => s.name.length));
  for (const s of all) {
    printLine(ctx, `${c.bold(s.name.padEnd(width))}  ${s.description}`);
    printLine(
      ctx,
      `${' '.repeat(width)}  ${c.dim(s.steps.map((step) => (step.repeat > 1 ? `${step.event} ×${step.repeat}` : step.event)).join(' → '))}`,
    );
  }
  return EXIT_OK;
}

/** `scenarios show NAME|FILE`: the scenario as a file, to copy and edit; a file is checked first. */
export function showScenario(ctx: CommandContext, nameOrFile: string): number {
  let loaded: LoadedScenario;
  try {
    loaded = loadScenario(nameOrFile);
    // Every step's fields applied to its sample, as trigger would: a file that shows, sends.
    prepareScenario(loaded.scenario, nameOrFile, seededRandom(0));
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message, err.hint);
    throw err;
  }
  // The file as written (a built-in is a file too): what a user copies is what trigger reads.
  if (ctx.json) printJson(ctx, JSON.parse(loaded.text));
  else ctx.stdout.write(loaded.text.endsWith('\n') ? loaded.text : `${loaded.text}\n`);
  return EXIT_OK;
}

function deliveryCount(s: Scenario): number {
  return s.steps.reduce((n, step) => n + step.repeat, 0);
}
