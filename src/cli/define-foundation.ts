/** `events`, `sign`, `verify`, `trigger`, `history` and `config`. */
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';
import { age, collect, delayRange, duration, integer, MAX_SEED, share } from './parse.js';

export function defineFoundationCommands(program: CommandUnknownOpts): void {
  const events = program
    .command('events')
    .description('the 16 event types: sample payloads, JSON Schemas, TypeScript types')
    .addHelpText(
      'after',
      examples([
        'webhooks-cli events list',
        'webhooks-cli events show customer.purchase.completed',
        "webhooks-cli events list --json | jq -r '.[].type'",
        'webhooks-cli events schema catalog.product.created',
        'webhooks-cli events types --lang typescript > webhook-events.ts',
      ]),
    );
  runLazily(defineEventsList(events), () => import('../commands/events.js').then((m) => m.listEvents));
  runLazily(defineEventsShow(events), () => import('../commands/events.js').then((m) => m.showEvent));
  runLazily(defineEventsSchema(events), () => import('../commands/events.js').then((m) => m.printEventSchema));
  runLazily(defineEventsTypes(events), () => import('../commands/events.js').then((m) => m.printEventTypes));

  runLazily(defineSign(program), () => import('../commands/sign.js').then((m) => m.signCommand));

  runLazily(defineVerify(program), () => import('../commands/sign.js').then((m) => m.verifyCommand));

  runLazily(defineTrigger(program), () => import('../commands/trigger.js').then((m) => m.triggerCommand));

  const history = defineHistory(program);
  runLazily(history, () => import('../commands/history.js').then((m) => m.listHistory));
  runLazily(defineHistoryShow(history), () => import('../commands/history.js').then((m) => m.showHistory));
  runLazily(defineHistoryExport(history), () => import('../commands/history.js').then((m) => m.exportHistory));
  runLazily(defineHistoryPrune(history), () => import('../commands/history.js').then((m) => m.pruneHistory));

  const config = program
    .command('config')
    .description(
      'stored settings: api-url, token, secret, db, per profile (flag beats env beats the profile beats the default profile)',
    )
    .addHelpText(
      'after',
      examples([
        'webhooks-cli config set secret s3cret',
        'webhooks-cli config set api-url https://api.staging.example --profile staging',
        'webhooks-cli config list --profile staging',
        'webhooks-cli config profiles',
        'webhooks-cli config get token --show-secrets',
      ]),
    );
  runLazily(defineConfigList(config), () => import('../commands/config.js').then((m) => m.configList));
  runLazily(defineConfigGet(config), () => import('../commands/config.js').then((m) => m.configGet));
  runLazily(defineConfigSet(config), () => import('../commands/config.js').then((m) => m.configSet));
  runLazily(defineConfigUnset(config), () => import('../commands/config.js').then((m) => m.configUnset));
  runLazily(defineConfigProfiles(config), () => import('../commands/config.js').then((m) => m.configProfiles));

  runLazily(defineCompletion(program), () => import('../commands/completion.js').then((m) => m.completionCommand));
  // What the completion scripts call on each Tab: candidates, one a line.
  runLazily(defineComplete(program), () => import('../commands/completion.js').then((m) => m.completeCommand));
}

/** `events list` */
export function defineEventsList(parent: CommandUnknownOpts) {
  return parent.command('list').description('list every event type');
}
export type EventsListOptions = OptionsOf<typeof defineEventsList>;

/** `events show` */
export function defineEventsShow(parent: CommandUnknownOpts) {
  return parent.command('show <type>').description('print the sample envelope of an event type');
}
export type EventsShowOptions = OptionsOf<typeof defineEventsShow>;

/** `events schema` */
export function defineEventsSchema(parent: CommandUnknownOpts) {
  return parent
    .command('schema [type]')
    .description("print the JSON Schema (draft 2020-12) of an event type's envelope, or of all of them")
    .option('--all', 'every event type in one document: $defs per type and a oneOf')
    .addHelpText(
      'after',
      examples([
        'webhooks-cli events schema customer.cart.added',
        'webhooks-cli events schema --all > webhook-events.schema.json',
      ]),
    );
}
export type EventsSchemaOptions = OptionsOf<typeof defineEventsSchema>;

/** `events types` */
export function defineEventsTypes(parent: CommandUnknownOpts) {
  return parent
    .command('types')
    .description('print the payload types as a module: an interface per event, the WebhookEvent union, EventType')
    .addOption(new Option('--lang <lang>', 'language of the module').choices(['typescript']).default('typescript'))
    .addHelpText('after', examples(['webhooks-cli events types --lang typescript > src/webhook-events.ts']));
}
export type EventsTypesOptions = OptionsOf<typeof defineEventsTypes>;

/** `sign` */
export function defineSign(parent: CommandUnknownOpts) {
  return parent
    .command('sign')
    .description('print the X-Webhook-Signature of a payload')
    .option('--secret <secret>', 'signing secret; - reads it from standard input')
    .option('--secret-file <file>', 'read the secret from a file instead (out of sight of ps and shell history)')
    .option('--payload <file>', 'payload file, or - for stdin', '-')
    .addHelpText(
      'after',
      examples([
        'echo -n \'{"event":"x"}\' | webhooks-cli sign --secret s3cret',
        'webhooks-cli sign --secret s3cret --payload body.json',
        'webhooks-cli sign --secret-file ~/.webhook-secret --payload body.json   # the secret stays out of ps',
      ]),
    );
}
export type SignOptions = OptionsOf<typeof defineSign>;

/** `verify` */
export function defineVerify(parent: CommandUnknownOpts) {
  return parent
    .command('verify')
    .description('check a signature against a payload and explain a mismatch')
    .option(
      '--secret <secret>',
      'secret to verify with (repeatable, any may match); - reads them from standard input, one a line',
      collect,
    )
    .option(
      '--secret-file <file>',
      'read the secrets from a file instead, one a line (out of sight of ps and shell history)',
    )
    .requiredOption('--signature <sig>', 'the received X-Webhook-Signature value')
    .option('--payload <file>', 'payload file, or - for stdin', '-')
    .option('--show-secret', 'print expected signatures whole')
    .addHelpText('after', examples(['webhooks-cli verify --secret s3cret --signature sha256=… --payload body.json']));
}
export type VerifyOptions = OptionsOf<typeof defineVerify>;

/** `trigger` */
export function defineTrigger(parent: CommandUnknownOpts) {
  return parent
    .command('trigger [types...]')
    .description('send signed sample deliveries of one or more event types')
    .option('--all', 'every event type')
    .option('--to <url>', 'receiver URL', 'http://127.0.0.1:3000/webhook')
    .option(
      '--secret <secret>',
      'signing secret, or - to read it from standard input (env WEBHOOKS_SECRET, or `config set secret`)',
    )
    .option('--secret-file <file>', 'read the secret from a file instead (out of sight of ps and shell history)')
    .option('--unsigned', 'send without a signature')
    .option('--set <path=value>', 'override a payload field, e.g. data.price=10 (repeatable)', collect)
    .option(
      '--header <name: value>',
      "add a request header, e.g. 'X-Tenant: acme' (repeatable; the signature, event, delivery and content-type headers only with --unsigned)",
      collect,
    )
    .option(
      '--data <file|dir>',
      'send this data object (or whole envelope, byte for byte) instead of the sample; - for stdin; a folder: each of its fixtures, bytes unchanged',
    )
    .option('--pretty', "indent the body with 2 spaces, as the platform document's examples are")
    .option('--no-validate', "send a --set or --data payload even if it breaks the event's schema")
    .option('--diagnose', 'when the receiver answers 401 or 403, run `doctor` on it and end with its verdict')
    .addOption(new Option('--timeout <duration>', 'per-request timeout').argParser(duration).default(10_000, '10s'))
    .addOption(new Option('--count <n>', 'send each event n times (a load run)').argParser(integer(1, 10_000_000)))
    .addOption(
      new Option(
        '--rate <n>',
        'a load run sending n deliveries a second on schedule, whatever the answers (with --duration or --count)',
      ).argParser(integer(1, 1_000_000)),
    )
    .addOption(
      new Option(
        '--duration <duration>',
        'how long a load run sends, e.g. 60s or 5m (with --rate, or instead of --count)',
      ).argParser(duration),
    )
    .addOption(
      new Option(
        '--concurrency <c>',
        'most requests in flight during a load run (default: 10; with --rate, rate × timeout up to 1000)',
      ).argParser(integer(1, 10_000)),
    )
    .option(
      '--scenario <name|file>',
      'send a scenario: a story of events with consistent ids (webhooks-cli scenarios list)',
    )
    .addOption(
      new Option(
        '--duplicates <share>',
        'send this share (0-1) of the deliveries twice: same delivery id, bytes and signature',
      ).argParser(share),
    )
    .option('--concurrent-duplicates', 'send each duplicate at the same moment as its original, not after its answer')
    .option('--shuffle', 'send in a random order')
    .addOption(new Option('--jitter <range>', 'a random delay before each send, e.g. 0-500ms').argParser(delayRange))
    .addOption(
      new Option(
        '--seed <n>',
        'seed of the random choices: the same seed repeats a run (default: a new one, printed)',
      ).argParser(integer(0, MAX_SEED)),
    )
    .addHelpText(
      'after',
      examples([
        'webhooks-cli trigger catalog.product.created --secret s3cret',
        'webhooks-cli trigger --all --to http://127.0.0.1:8080/hooks --secret s3cret',
        'webhooks-cli trigger catalog.product.updated --set data.quantity=0 --set data.sku=TEE-01 --to http://127.0.0.1:8080/hooks --secret s3cret',
        'webhooks-cli trigger --data envelope.json --secret s3cret    # sent byte for byte',
        'webhooks-cli trigger catalog.product.created --pretty --secret s3cret',
        'webhooks-cli trigger customer.cart.added --count 10000 --concurrency 50',
        'webhooks-cli trigger customer.cart.added --rate 500 --duration 60s --secret s3cret',
        'webhooks-cli trigger --all --rate 200 --duration 5m --duplicates 0.05 --json > load.json',
        'webhooks-cli trigger --all --duplicates 0.3 --shuffle --jitter 0-500ms --seed 42',
        'webhooks-cli trigger --scenario shopping-journey --shuffle',
        "webhooks-cli trigger catalog.product.created --header 'X-Tenant: acme' --secret s3cret",
        'webhooks-cli trigger catalog.product.created --secret s3cret --diagnose    # a 401? find out why',
      ]),
    );
}
export type TriggerOptions = OptionsOf<typeof defineTrigger>;

/** `history` */
export function defineHistory(parent: CommandUnknownOpts) {
  return parent
    .command('history')
    .description('the deliveries sent and received, newest first')
    .option('--event <type>', 'only this event type')
    .addOption(new Option('--status <code>', 'only this HTTP status').argParser(integer(100, 599)))
    .option('--invalid', 'only requests whose signature failed')
    .option('--schema-invalid', "only deliveries that broke their event's schema (recorded by listen --validate)")
    .addOption(new Option('--direction <dir>', 'only sent (out) or received (in)').choices(['in', 'out']))
    .option(
      '--search <query>',
      "the TUI filter's words: text (delivery id, event, URL, body), status:4xx, event:…, invalid, dup",
    )
    .addOption(new Option('--limit <n>', 'how many rows (default: 50; export: all)').argParser(integer(1, 10_000_000)))
    .addHelpText(
      'after',
      examples([
        'webhooks-cli history --event customer.purchase.completed --limit 10',
        'webhooks-cli history --invalid --json',
        'webhooks-cli history --schema-invalid',
        'webhooks-cli history show dlv_…',
        'webhooks-cli history --direction in export > received.jsonl',
      ]),
    );
}
export type HistoryOptions = OptionsOf<typeof defineHistory>;

/** `history show` */
export function defineHistoryShow(parent: CommandUnknownOpts) {
  return parent
    .command('show <id>')
    .description('one delivery in full: headers, body, answer')
    .option('--curl', 'instead, a curl command that sends it again: its bytes and headers, signature included')
    .addHelpText('after', examples(['webhooks-cli history show dlv_…', 'webhooks-cli history show 42 --curl | sh']));
}
export type HistoryShowOptions = OptionsOf<typeof defineHistoryShow>;

/** `history export` */
export function defineHistoryExport(parent: CommandUnknownOpts) {
  return parent
    .command('export')
    .description('every delivery matching the history filters, as JSON lines with bodies')
    .option(
      '--fixtures <dir>',
      'instead, write each body byte for byte as DIR/<event>-<delivery id>.json, with DIR/manifest.json (DIR new or empty; credentials left out)',
    )
    .addHelpText(
      'after',
      examples([
        'webhooks-cli history export > all.jsonl',
        'webhooks-cli history --event customer.cart.added --limit 100 export',
        'webhooks-cli history --direction in export --fixtures fixtures/captured',
      ]),
    );
}
export type HistoryExportOptions = OptionsOf<typeof defineHistoryExport>;

/** `history prune` */
export function defineHistoryPrune(parent: CommandUnknownOpts) {
  return parent
    .command('prune')
    .description('delete old deliveries from the history: older than an age, or all but the newest N')
    .addOption(new Option('--before <age>', 'delete what is older than this: 7d, 12h, 30m, 2w').argParser(age))
    .addOption(new Option('--keep <n>', 'keep only the newest N').argParser(integer(0)))
    .addHelpText(
      'after',
      examples(['webhooks-cli history prune --before 7d', 'webhooks-cli history prune --keep 10000 --json']),
    );
}
export type HistoryPruneOptions = OptionsOf<typeof defineHistoryPrune>;

/** `config list` */
export function defineConfigList(parent: CommandUnknownOpts) {
  return parent
    .command('list')
    .description("each setting's effective value and where it came from (secrets masked)")
    .option('--show-secrets', 'print secrets whole');
}
export type ConfigListOptions = OptionsOf<typeof defineConfigList>;

/** `config get` */
export function defineConfigGet(parent: CommandUnknownOpts) {
  return parent
    .command('get <key>')
    .description('one setting (secrets masked)')
    .option('--show-secrets', 'print secrets whole');
}
export type ConfigGetOptions = OptionsOf<typeof defineConfigGet>;

/** `config set` */
export function defineConfigSet(parent: CommandUnknownOpts) {
  return parent.command('set <key> <value>').description('store a setting');
}
export type ConfigSetOptions = OptionsOf<typeof defineConfigSet>;

/** `config unset` */
export function defineConfigUnset(parent: CommandUnknownOpts) {
  return parent.command('unset <key>').description('remove a stored setting');
}
export type ConfigUnsetOptions = OptionsOf<typeof defineConfigUnset>;

/** `config profiles` */
export function defineConfigProfiles(parent: CommandUnknownOpts) {
  return parent.command('profiles').description('the stored profiles, the chosen one marked');
}
export type ConfigProfilesOptions = OptionsOf<typeof defineConfigProfiles>;

/** `completion` */
export function defineCompletion(parent: CommandUnknownOpts) {
  return parent
    .command('completion <shell>')
    .description('print a shell completion script: bash, zsh, fish or powershell')
    .addHelpText(
      'after',
      examples([
        'source <(webhooks-cli completion bash)   # in ~/.bashrc',
        'source <(webhooks-cli completion zsh)    # in ~/.zshrc',
        'webhooks-cli completion fish > ~/.config/fish/completions/webhooks-cli.fish',
        'webhooks-cli completion powershell | Out-String | Invoke-Expression   # in $PROFILE',
      ]),
    );
}
export type CompletionOptions = OptionsOf<typeof defineCompletion>;

/** `__complete` */
export function defineComplete(parent: CommandUnknownOpts) {
  return parent.command('__complete [words...]', { hidden: true }).allowUnknownOption().helpOption(false);
}
export type CompleteOptions = OptionsOf<typeof defineComplete>;
