/** `doctor`: why a receiver rejects (or accepts) what it should not, found by experiment. */
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';
import { duration } from './parse.js';

export function defineDoctorCommands(program: CommandUnknownOpts): void {
  runLazily(defineDoctor(program), () => import('../commands/doctor.js').then((m) => m.doctorCommand));
}

/** `doctor` */
export function defineDoctor(parent: CommandUnknownOpts) {
  return parent
    .command('doctor')
    .description(
      "find out by experiment why a receiver rejects signed deliveries (a re-serialised body, a secret with a newline, another header…) and how to fix it in the receiver's language",
    )
    .requiredOption('--url <url>', 'the receiver to diagnose')
    .option(
      '--secret <secret>',
      'the secret the receiver should verify with (env WEBHOOKS_SECRET, or `config set secret`)',
    )
    .option('--event <type>', 'the event type of the probe deliveries (default: catalog.product.created)')
    .addOption(new Option('--timeout <duration>', 'per-request timeout').argParser(duration).default(10_000, '10s'))
    .addHelpText(
      'after',
      `${examples([
        'webhooks-cli doctor --url http://127.0.0.1:5000/webhook --secret "$WEBHOOK_SECRET"',
        'webhooks-cli doctor --url http://127.0.0.1:8080/hooks --secret s3cret --verbose    # every request and its answer',
        'webhooks-cli doctor --url http://127.0.0.1:8080/hooks --secret s3cret --event customer.purchase.completed --json',
      ])}
Each diagnosis sends at most 21 signed deliveries (fresh delivery ids, recorded in the history as the doctor's);
one the receiver accepts is a delivery it processed.
Exit codes: 0 the receiver verifies correctly · 1 a cause was found (or none could be), or no answer · 2 usage error.
`,
    );
}
export type DoctorOptions = OptionsOf<typeof defineDoctor>;
