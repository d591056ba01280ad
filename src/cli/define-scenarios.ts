/** `scenarios`: the built-in stories `trigger --scenario` can send, and a check of scenario files. */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';

export function defineScenarioCommands(program: CommandUnknownOpts): void {
  const scenarios = program
    .command('scenarios')
    .description('sequences of events telling one story with consistent ids, for trigger --scenario')
    .addHelpText(
      'after',
      examples([
        'webhooks-cli scenarios list',
        'webhooks-cli scenarios show shopping-journey > journey.json',
        'webhooks-cli trigger --scenario journey.json --to http://127.0.0.1:3000/webhook --secret s3cret',
      ]),
    );
  runLazily(defineScenariosList(scenarios), () => import('../commands/scenarios.js').then((m) => m.listScenarios));
  runLazily(defineScenariosShow(scenarios), () => import('../commands/scenarios.js').then((m) => m.showScenario));
}

/** `scenarios list` */
export function defineScenariosList(parent: CommandUnknownOpts) {
  return parent.command('list').description('the built-in scenarios and their events');
}
export type ScenariosListOptions = OptionsOf<typeof defineScenariosList>;

/** `scenarios show` */
export function defineScenariosShow(parent: CommandUnknownOpts) {
  return parent
    .command('show <name|file>')
    .description('print a scenario in the file format (a file is checked first)');
}
export type ScenariosShowOptions = OptionsOf<typeof defineScenariosShow>;
