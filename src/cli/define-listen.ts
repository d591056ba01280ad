/** `listen` (the local receiver) and `replay`. */
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';
import { backlogChoice, byteSize, collect, collectList, duration, integer, milliseconds } from './parse.js';
import { requestTimeoutOption } from './server-options.js';

export function defineListenCommands(program: CommandUnknownOpts): void {
  runLazily(defineListen(program), () => import('../commands/listen.js').then((m) => m.listenCommand));

  runLazily(defineReplay(program), () => import('../commands/replay.js').then((m) => m.replayCommand));

  runLazily(defineInspect(program), () => import('../commands/inspect.js').then((m) => m.inspectCommand));
}

/** `listen` */
export function defineListen(parent: CommandUnknownOpts) {
  return parent
    .command('listen')
    .description('receive webhooks locally: verify every signature, record every request, show them live')
    .addOption(
      new Option('--port <port>', 'port to listen on (0 picks a free one)').argParser(integer(0, 65_535)).default(3000),
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--path <path>', 'the webhook endpoint; other paths get 404', '/webhook')
    .option(
      '--secret <secret>',
      'secret to verify with (repeatable: any may match; - reads them from standard input, one a line; default WEBHOOKS_SECRET or `config set secret`)',
      collect,
    )
    .option(
      '--secret-file <file>',
      'read the secrets from a file instead, one a line (out of sight of ps and shell history)',
    )
    .option('--no-verify', 'record every request without rejecting bad signatures or bodies')
    .option(
      '--validate',
      "check each delivery against the envelope rules and its event's JSON Schema; the verdict is recorded, the answer unchanged",
    )
    .option('--strict', 'like --validate, but answer 422 to a delivery that breaks its schema')
    .addOption(new Option('--max-body <size>', 'larger bodies get 413').argParser(byteSize).default(1024 * 1024, '1mb'))
    .addOption(
      // 1xx is no final answer: a sender given one waits for another.
      new Option('--respond-status <code>', 'answer valid requests no route forwards with this status').argParser(
        integer(200, 599),
      ),
    )
    .addOption(
      new Option('--respond-delay <ms>', 'wait this long before answering a valid request')
        .argParser(milliseconds)
        .default(0),
    )
    .option(
      '--forward-to <[pattern=]url>',
      'pass valid requests whose event matches the pattern (a glob; a bare URL means *) on to your app and return its answer (repeatable; first match wins)',
      collect,
    )
    .option('--routes <file>', 'routes as JSON, tried after --forward-to (format: schemas/routes.schema.json)')
    .option('--allow-remote-forward', 'allow --forward-to a host other than this machine')
    .addOption(
      new Option(
        '--forward-timeout <duration>',
        'how long an app may take before a 504 (a route in --routes may set its own)',
      )
        .argParser(duration)
        .default(10_000, '10s'),
    )
    .addOption(
      new Option(
        '--app-down <mode>',
        'when the app refuses the connection or answers 502/503/504: fail (answer 502, the default) or hold (answer 202, keep the delivery, retry the app and pass deliveries on in arrival order)',
      ).choices(['hold', 'fail'] as const),
    )
    .addOption(requestTimeoutOption())
    .option(
      '--relay <ws-url>',
      'also receive through a `webhooks-cli relay` tunnel (public URL kept in relay-channels.json in the config directory)',
    )
    .option(
      '--relay-key <key>',
      'access key for a relay that requires one (rk_…; env WEBHOOKS_RELAY_KEY, or `config set relay-key`)',
    )
    .option(
      '--relay-channel <name>',
      'keep a separate channel (and public URL) under this name, so several listeners share one relay',
    )
    .addOption(
      new Option(
        '--backlog <all|none|duration>',
        'with --relay: the deliveries the relay held while this listener was away — all (default, in arrival order), none (dropped), or those held at most DURATION (e.g. 1h)',
      ).argParser(backlogChoice),
    )
    .option('--no-tui', 'one line per request instead of the terminal UI')
    .option(
      '--inspect <addr|port>',
      'where the web inspector is served (default 127.0.0.1:4040, or the next free port; another address than loopback only when asked)',
    )
    .option('--no-inspect', 'serve no web inspector')
    .option('--register', 'register a webhook for this listener via the API (--api-url, --token), removed on exit')
    .option(
      '--register-events <types>',
      'events the registered webhook subscribes to (comma-separated; default all)',
      collectList,
    )
    .addHelpText(
      'after',
      examples([
        'webhooks-cli listen --port 3000 --secret s3cret',
        'webhooks-cli listen --secret new-secret --secret old-secret   # during a rotation',
        'webhooks-cli listen --secret-file ~/.webhook-secret   # the secret stays out of ps and shell history',
        'webhooks-cli listen --secret s3cret --forward-to http://localhost:8000/webhooks',
        'webhooks-cli listen --secret s3cret --forward-to http://localhost:8000/webhooks --app-down hold   # nodemon restarts lose nothing',
        "webhooks-cli listen --secret s3cret --forward-to 'catalog.*=http://localhost:4001/hooks' --forward-to 'customer.*=http://localhost:4002/hooks'",
        'webhooks-cli listen --secret s3cret --routes routes.json',
        'webhooks-cli listen --no-verify --respond-status 500 --respond-delay 2s   # play a failing app',
        'webhooks-cli listen --secret s3cret --json | jq -r \'select(.type == "request") | .delivery_id\'',
        'webhooks-cli listen --secret s3cret --validate   # then: webhooks-cli history --schema-invalid',
        'webhooks-cli listen --secret s3cret --relay wss://relay.example.com   # public URL for the platform',
        'webhooks-cli listen --port 3001 --secret s3cret --relay wss://relay.example.com --relay-channel orders   # a second app',
        'webhooks-cli listen --secret s3cret --relay wss://relay.example.com --backlog 1h   # only what was held in the last hour',
        'webhooks-cli listen --secret s3cret --register   # with `webhooks-cli serve` running',
        'webhooks-cli listen --secret s3cret --inspect 4141   # the web inspector on 127.0.0.1:4141',
      ]),
    );
}
export type ListenOptions = OptionsOf<typeof defineListen>;

/** `replay` */
export function defineReplay(parent: CommandUnknownOpts) {
  return parent
    .command('replay <delivery-id>')
    .description('re-send a recorded request, signed afresh, as a new delivery')
    .option('--to <url>', 'send it here instead of where the original went')
    .option(
      '--secret <secret>',
      'signing secret, or - to read it from standard input (env WEBHOOKS_SECRET, or `config set secret`)',
    )
    .option('--secret-file <file>', 'read the secret from a file instead (out of sight of ps and shell history)')
    .addOption(new Option('--timeout <duration>', 'per-request timeout').argParser(duration).default(10_000, '10s'))
    .option('--set <path=value>', 'change a field of the recorded body first (repeatable; as trigger --set)', collect)
    .option('--data <file>', 'send this JSON body (a file, or - for standard input) instead of the recorded one')
    .option('--edit', 'edit the body in $VISUAL / $EDITOR first (unchanged or empty aborts)')
    .addHelpText(
      'after',
      examples([
        'webhooks-cli replay dlv_3f9a… --secret s3cret',
        'webhooks-cli replay dlv_3f9a… --set data.quantity=0 --secret s3cret',
        'EDITOR=nano webhooks-cli replay dlv_3f9a… --edit --secret s3cret',
        'webhooks-cli replay dlv_3f9a… --to http://127.0.0.1:8000/webhooks --secret s3cret',
      ]),
    );
}
export type ReplayOptions = OptionsOf<typeof defineReplay>;

/** `inspect` */
export function defineInspect(parent: CommandUnknownOpts) {
  return parent
    .command('inspect')
    .description('serve the web inspector over the history alone (listen serves it beside the receiver)')
    .addOption(
      new Option('--port <port>', 'port to serve it on (default 4040, or the next free one; 0 picks one)').argParser(
        integer(0, 65_535),
      ),
    )
    .option('--host <host>', 'address to serve it on (loopback unless you ask)', '127.0.0.1')
    .option(
      '--secret <secret>',
      'secret to explain signatures and sign replays with (repeatable; default WEBHOOKS_SECRET or `config set secret`)',
      collect,
    )
    .addHelpText(
      'after',
      examples([
        'webhooks-cli inspect   # then open the printed URL',
        'webhooks-cli inspect --port 4141 --db ./ci-history.db --secret s3cret',
      ]),
    );
}
export type InspectOptions = OptionsOf<typeof defineInspect>;
