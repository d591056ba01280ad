/** `smoke`: the CI conformance run against a webhook receiver. */
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';
import { collectList, duration, FUZZ_MAX_SEED, integer } from './parse.js';

export function defineSmokeCommands(program: CommandUnknownOpts): void {
  runLazily(defineSmoke(program), () => import('../commands/smoke.js').then((m) => m.smokeCommand));
}

/** `smoke` */
export function defineSmoke(parent: CommandUnknownOpts) {
  return parent
    .command('smoke')
    .description(
      'check a webhook receiver: signed deliveries answered 2xx in time, bad signatures rejected, the raw bytes verified, duplicates and odd bodies handled',
    )
    .requiredOption('--url <url>', 'the receiver to check')
    .option(
      '--secret <secret>',
      'the secret the receiver verifies with, or - to read it from standard input (env WEBHOOKS_SECRET, or `config set secret`)',
    )
    .option('--secret-file <file>', 'read the secret from a file instead (out of sight of ps and shell history)')
    .option('--events <types>', 'event types to deliver, comma-separated or repeated (default: all 16)', collectList)
    .option('--junit <file>', 'also write a JUnit XML report to this file')
    .option(
      '--fixtures <dir>',
      'also send each fixture of this folder (history export --fixtures), expecting the status class its manifest recorded',
    )
    .addOption(
      new Option(
        '--timeout <duration>',
        "longest a receiver may take to answer one request (the platform's is 10 s); half of it warns",
      )
        .argParser(duration)
        .default(10_000, '10s'),
    )
    .addOption(
      new Option('--wait <duration>', 'first wait up to this long for the receiver to accept connections').argParser(
        duration,
      ),
    )
    .addOption(new Option('--concurrency <n>', 'checks in flight at once').argParser(integer(1, 64)).default(4))
    .option('--bail', 'stop at the first failed check; the rest are not run')
    .option(
      '--processed-count <cmd>',
      'a shell command printing how many deliveries the app has processed, run before and after: proves each was processed once',
    )
    .addOption(
      new Option(
        '--fuzz <n>',
        'also send n schema-valid, unusual payloads (each must get a 2xx); a failure is shrunk and saved',
      ).argParser(integer(1, 100_000)),
    )
    .addOption(
      new Option('--seed <s>', 'the seed of the --fuzz payloads (printed by every run, to repeat it)').argParser(
        integer(0, FUZZ_MAX_SEED),
      ),
    )
    .option('--failures-dir <dir>', 'where --fuzz saves a failing payload', './webhooks-smoke-failures/')
    .addHelpText(
      'after',
      `${examples([
        'webhooks-cli smoke --url http://127.0.0.1:8080/webhook --secret "$WEBHOOK_SECRET"',
        'webhooks-cli smoke --url http://127.0.0.1:8080/webhook --secret s3cret --junit reports/webhooks-smoke.xml --wait 30s',
        'webhooks-cli smoke --url http://127.0.0.1:8080/webhook --secret s3cret --events catalog.product.created,customer.cart.added --json',
        'webhooks-cli smoke --url http://127.0.0.1:8080/webhook --secret s3cret --processed-count "wc -l < processed.log"',
        'webhooks-cli smoke --url http://127.0.0.1:8080/webhook --secret s3cret --fuzz 200 --seed 42',
      ])}
  Exit codes: 0 every check passed · 1 a check failed · 2 usage error (bad URL, unknown event, a --processed-count command that fails).
  `,
    );
}
export type SmokeOptions = OptionsOf<typeof defineSmoke>;
