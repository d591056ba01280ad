/** `scenarios`: the built-in stories `trigger --scenario` can send, and a check of scenario files. */
import type { Command } from 'commander';
import { examples, lazy } from './lazy-action.js';

export function defineScenarioCommands(program: Command): void {
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
  scenarios
    .command('list')
    .description('the built-in scenarios and their events')
    .action(lazy(() => import('../commands/scenarios.js'), 'listScenarios'));
  scenarios
    .command('show <name|file>')
    .description('print a scenario in the file format (a file is checked first)')
    .action(lazy(() => import('../commands/scenarios.js'), 'showScenario'));
}
