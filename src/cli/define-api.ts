/** The platform API commands (`register` … `deliveries`), `serve` (its local emulator) and `demo`. */
import {
  type Command,
  type CommandUnknownOpts,
  InvalidArgumentError,
  Option,
  type OptionValues,
} from '@commander-js/extra-typings';
import { DELIVERY_STATUSES, isDeliveryStatusFilter } from '../core/delivery-status.js';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';
import { collect, collectList, delayRange, duration, integer, MAX_SEED, positiveNumber, share } from './parse.js';
import { requestTimeoutOption } from './server-options.js';

const webhooks = () => import('../commands/webhooks.js');

/** `deliveries --status`: a result name or an HTTP status code, checked before any request. */
function deliveryStatus(value: string): string {
  if (isDeliveryStatusFilter(value)) return value;
  throw new InvalidArgumentError(`expected one of ${DELIVERY_STATUSES.join(', ')}, or an HTTP status code such as 500`);
}

/** `--timeout` for every API call (the global --api-url and --token say where and who). */
function withTimeout<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  defaultMs = 10_000,
) {
  return command.addOption(
    new Option('--timeout <duration>', 'API request timeout')
      .argParser(duration)
      .default(defaultMs, `${defaultMs / 1000}s`),
  );
}

export function defineApiCommands(program: CommandUnknownOpts): void {
  runLazily(defineRegister(program), () => webhooks().then((m) => m.registerCommand));
  runLazily(defineList(program), () => webhooks().then((m) => m.listCommand));
  runLazily(defineGet(program), () => webhooks().then((m) => m.getCommand));
  runLazily(defineUpdate(program), () => webhooks().then((m) => m.updateCommand));
  runLazily(defineDelete(program), () => webhooks().then((m) => m.deleteCommand));
  runLazily(defineTest(program), () => webhooks().then((m) => m.testCommand));
  runLazily(defineDeliveries(program), () => webhooks().then((m) => m.deliveriesCommand));
  runLazily(defineEmit(program), () => import('../commands/emit.js').then((m) => m.emitCommand));
  runLazily(defineDemo(program), () => import('../commands/demo.js').then((m) => m.demoCommand));
  runLazily(defineServe(program), () => import('../commands/serve.js').then((m) => m.serveCommand));
}

/** `demo` */
export function defineDemo(parent: CommandUnknownOpts) {
  return parent
    .command('demo')
    .description(
      'the whole loop in one command: emulator, listener, a registered webhook, all 16 events through the engine',
    )
    .option('--secret <secret>', 'the webhook secret shared by the emulator and the listener', 'demo-secret')
    .addOption(
      new Option('--wait <duration>', 'without a terminal: how long to wait for the 16 deliveries')
        .argParser(duration)
        .default(15_000, '15s'),
    )
    .addHelpText('after', examples(['webhooks-cli demo', 'webhooks-cli demo --json | jq .event']));
}
export type DemoOptions = OptionsOf<typeof defineDemo>;

/** `register` */
export function defineRegister(parent: CommandUnknownOpts) {
  return withTimeout(
    parent
      .command('register')
      .description('register a webhook: POST /api/v1/webhooks')
      .requiredOption('--url <url>', 'the endpoint that receives deliveries')
      .requiredOption('--events <types>', 'comma-separated event types, or all (repeatable)', collectList)
      .option(
        '--secret <secret>',
        'signing secret, or - to read it from standard input (default: WEBHOOKS_SECRET / `config set secret`, else one is generated and shown once)',
      )
      .option('--secret-file <file>', 'read the secret from a file instead (out of sight of ps and shell history)')
      .option('--inactive', 'register it switched off')
      .option('--show-secret', 'print the secret whole'),
  ).addHelpText(
    'after',
    examples([
      'webhooks-cli register --url https://example.com/webhook --events catalog.product.created,customer.purchase.completed --secret s3cret',
      'webhooks-cli register --url http://127.0.0.1:3000/webhook --events all --json',
    ]),
  );
}
export type RegisterOptions = OptionsOf<typeof defineRegister>;

/** `list` */
export function defineList(parent: CommandUnknownOpts) {
  return withTimeout(
    parent
      .command('list')
      .description('list webhooks: GET /api/v1/webhooks (every page, up to --limit)')
      .addOption(new Option('--limit <n>', 'how many webhooks at most').argParser(integer(1, 100_000)).default(100)),
  );
}
export type ListOptions = OptionsOf<typeof defineList>;

/** `get` */
export function defineGet(parent: CommandUnknownOpts) {
  return withTimeout(parent.command('get <id>').description('one webhook: GET /api/v1/webhooks/{id}'));
}
export type GetOptions = OptionsOf<typeof defineGet>;

/** `update` */
export function defineUpdate(parent: CommandUnknownOpts) {
  return withTimeout(
    parent
      .command('update <id>')
      .description('change a webhook: PATCH /api/v1/webhooks/{id} with only the fields given')
      .option('--url <url>', 'new endpoint URL')
      .option('--events <types>', 'replace the event list (comma-separated, or all)', collectList)
      .option('--add-event <types>', 'subscribe to more event types (repeatable)', collectList)
      .option('--remove-event <types>', 'unsubscribe from event types (repeatable)', collectList)
      .option('--secret <secret>', 'new signing secret, or - to read it from standard input')
      .option('--secret-file <file>', 'read the new secret from a file instead (out of sight of ps and shell history)')
      .option('--active', 'switch it on (also re-enables a webhook the platform disabled)')
      .option('--inactive', 'switch it off')
      .option('--debug-mode', 'keep the full request and response of each attempt')
      .option('--no-debug-mode', 'stop keeping them'),
  ).addHelpText(
    'after',
    examples([
      'webhooks-cli update wh_123 --debug-mode',
      'webhooks-cli update wh_123 --add-event customer.cart.added --remove-event search.zero_results',
      'webhooks-cli update wh_123 --active',
    ]),
  );
}
export type UpdateOptions = OptionsOf<typeof defineUpdate>;

/** `delete` */
export function defineDelete(parent: CommandUnknownOpts) {
  return withTimeout(parent.command('delete <id>').description('delete a webhook: DELETE /api/v1/webhooks/{id}'));
}
export type DeleteOptions = OptionsOf<typeof defineDelete>;

/** `test` */
export function defineTest(parent: CommandUnknownOpts) {
  return withTimeout(
    parent
      .command('test <id>')
      .description(
        'send a test delivery: POST /api/v1/webhooks/{id}/test, and wait for its outcome (exit 1 if it fails)',
      )
      .option('--event <type>', 'event type to send', 'catalog.product.created')
      .addOption(
        new Option('--wait <duration>', 'how long to wait for a queued test delivery to finish')
          .argParser(duration)
          .default(30_000, '30s'),
      )
      .option('--no-wait', 'print the queued delivery id and exit 0 without waiting'),
    30_000,
  ) // the emulator waits for the attempt (up to 10 s)
    .addHelpText(
      'after',
      examples([
        'webhooks-cli test wh_123 --event customer.purchase.completed',
        'webhooks-cli test wh_123 --wait 2m',
        'webhooks-cli test wh_123 --no-wait',
      ]),
    );
}
export type TestOptions = OptionsOf<typeof defineTest>;

/** `deliveries` */
export function defineDeliveries(parent: CommandUnknownOpts) {
  return withTimeout(
    parent
      .command('deliveries <id>')
      .description('delivery attempts, newest first: GET /api/v1/webhooks/{id}/deliveries (every page, up to --limit)')
      .addOption(
        new Option('--status <status>', 'succeeded, failed, pending, skipped, or an HTTP status code').argParser(
          deliveryStatus,
        ),
      )
      .addOption(new Option('--limit <n>', 'how many rows').argParser(integer(1, 100_000)).default(50)),
  ).addHelpText(
    'after',
    examples([
      'webhooks-cli deliveries wh_123 --status failed',
      "webhooks-cli deliveries wh_123 --json | jq '.data[0].response'",
    ]),
  );
}
export type DeliveriesOptions = OptionsOf<typeof defineDeliveries>;

/** `emit` */
export function defineEmit(parent: CommandUnknownOpts) {
  return withTimeout(
    parent
      .command('emit <type>')
      .description("emit an event to every active subscriber: the emulator's POST /api/v1/events")
      .option('--set <path=value>', 'override a field of the sample, e.g. data.price=10 (repeatable)', collect)
      .option('--data <file>', "send this data object (or whole envelope's data) instead of the sample; - for stdin"),
  ).addHelpText(
    'after',
    examples([
      'webhooks-cli emit customer.cart.added',
      'webhooks-cli emit catalog.product.updated --set data.quantity=0',
    ]),
  );
}
export type EmitOptions = OptionsOf<typeof defineEmit>;

/** `serve` */
export function defineServe(parent: CommandUnknownOpts) {
  return parent
    .command('serve')
    .description('run a local emulator of the platform webhook API, with the real delivery engine')
    .addOption(new Option('--port <port>', 'port to listen on').argParser(integer(0, 65535)).default(4010))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--allow-host <name>',
      "also answer requests for this Host name (an alias, a proxy's name for it; repeatable): on loopback only 127.0.0.1, localhost and [::1] are answered, against DNS rebinding",
      collect,
    )
    .addOption(
      new Option('--time-scale <factor>', 'multiply every retry delay by this (> 0), e.g. 0.0001')
        .argParser(positiveNumber)
        .default(1),
    )
    .option('--state <file>', 'emulator database (default: emulator.db beside the history database, see --db)')
    .addOption(requestTimeoutOption())
    .addOption(
      new Option(
        '--duplicates <share>',
        'send this share (0-1) of deliveries a second time, same delivery id, after the first attempt',
      ).argParser(share),
    )
    .addOption(
      new Option(
        '--jitter <range>',
        "a random delay before each delivery's first attempt, e.g. 0-500ms (it also reorders them)",
      ).argParser(delayRange),
    )
    .addOption(
      new Option(
        '--seed <n>',
        'seed of the injected faults: the same seed and the same events repeat them (default: a new one, printed)',
      ).argParser(integer(0, MAX_SEED)),
    )
    .addHelpText(
      'after',
      `
  The global --token (or WEBHOOKS_API_TOKEN, or \`config set token\`) is the token clients must send;
  without one, any non-empty bearer token is accepted.
  ${examples([
    'webhooks-cli serve',
    'webhooks-cli serve --port 4010 --token dev-token --time-scale 0.0001',
    'webhooks-cli serve --duplicates 0.2 --jitter 0-2s --seed 7',
  ])}`,
    );
}
export type ServeOptions = OptionsOf<typeof defineServe>;
