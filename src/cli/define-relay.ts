/** `relay` (the WebSocket tunnel server) and `relay keys`. (`listen --relay` is the client side.) */
import { type CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { examples, type OptionsOf, runLazily } from './lazy-action.js';
import { byteSize, collectList, duration, integer, positiveNumber } from './parse.js';
import { requestTimeoutOption } from './server-options.js';

export function defineRelayCommands(program: CommandUnknownOpts): void {
  const relay = defineRelay(program);
  runLazily(relay, () => import('../commands/relay.js').then((m) => m.relayCommand));

  const keys = relay
    .command('keys')
    .description(
      'the access keys listeners present to this relay (stored as hashes; relay --keys FILE chooses the file)',
    )
    .addHelpText(
      'after',
      examples([
        'webhooks-cli relay keys add alice',
        'webhooks-cli relay keys list --keys /etc/webhooks-relay/keys.json',
        'webhooks-cli relay keys revoke alice',
      ]),
    );
  runLazily(defineKeysAdd(keys), () => import('../commands/relay-keys.js').then((m) => m.addRelayKey));
  runLazily(defineKeysList(keys), () => import('../commands/relay-keys.js').then((m) => m.listRelayKeys));
  runLazily(defineKeysRevoke(keys), () => import('../commands/relay-keys.js').then((m) => m.revokeRelayKey));

  const held = relay
    .command('held')
    .description('the deliveries this relay holds for channels with no listener (in --data-dir, or Redis with --redis)')
    .addHelpText(
      'after',
      examples([
        'webhooks-cli relay held list',
        'webhooks-cli relay held list --redis redis://10.0.0.5:6379 --json',
        'webhooks-cli relay held drop ch_oteiUpEDsIk-D5pD7Vd6aE',
      ]),
    );
  runLazily(defineHeldList(held), () => import('../commands/relay-held.js').then((m) => m.listHeld));
  runLazily(defineHeldDrop(held), () => import('../commands/relay-held.js').then((m) => m.dropHeld));
}

/** `relay` */
export function defineRelay(parent: CommandUnknownOpts) {
  return (
    parent
      .command('relay')
      .description('run the WebSocket tunnel server that gives `listen --relay` a public webhook URL')
      .addOption(
        new Option('--port <port>', 'port to listen on (0: any free port)').argParser(integer(0, 65_535)).default(8080),
      )
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option(
        '--public-url <url>',
        'base of the webhook URLs handed to listeners, e.g. https://relay.example.com (default: the address a listener connected to)',
      )
      .option(
        '--keys <file>',
        'the keys file, also for `relay keys …` (env WEBHOOKS_RELAY_KEYS; default relay-keys.json in the config directory)',
      )
      .option('--open', 'with no keys, accept any listener even on a non-loopback --host')
      // No commander default: a repeatable option would add to it rather than replace it.
      .addOption(
        new Option(
          '--methods <list>',
          'HTTP methods passed on to listeners (comma-separated; default: POST); others get 405',
        ).argParser(collectList),
      )
      .addOption(
        new Option('--rate-limit <n>', 'requests per second per channel (bursts of twice that); over it, 429')
          .argParser(positiveNumber)
          .default(50),
      )
      .addOption(
        new Option('--max-channels-per-key <n>', 'channels one key may hold at once').argParser(integer(1)).default(10),
      )
      .addOption(
        new Option('--max-pending <n>', "senders waiting at once for one channel's listener; more get 503")
          .argParser(integer(1))
          .default(100),
      )
      .option(
        '--redis <url>',
        'share channels with other relay instances through Redis, e.g. redis://127.0.0.1:6379 (env WEBHOOKS_RELAY_REDIS)',
      )
      .addOption(
        new Option('--answer-timeout <duration>', "how long a sender waits for the listener's answer before a 504")
          .argParser(duration)
          .default(10_000, '10s'),
      )
      .addOption(
        new Option('--max-body <size>', 'largest request body accepted (413 above it), e.g. 512kb, 5mb')
          .argParser(byteSize)
          .default(1024 * 1024, '1mb'),
      )
      .addOption(
        new Option(
          '--ping-interval <duration>',
          'keepalive ping interval; a listener that misses a pong is dropped at the next ping',
        )
          .argParser(duration)
          .default(15_000, '15s'),
      )
      .addOption(requestTimeoutOption())
      .addOption(
        new Option(
          '--offline <mode>',
          'a delivery for a known channel with no listener connected: hold (keep it, answer 202) or refuse (503)',
        )
          .choices(['hold', 'refuse'] as const)
          .default('hold' as const),
      )
      .addOption(
        new Option('--hold-for <duration>', 'held deliveries older than this are dropped (logged and counted)')
          .argParser(duration)
          .default(72 * 3_600_000, '72h'),
      )
      .addOption(
        new Option('--hold-max <n>', 'deliveries held per channel; beyond it, 503 hold full')
          .argParser(integer(1))
          .default(10_000),
      )
      .addOption(
        new Option('--hold-max-bytes <size>', 'body bytes held per channel; beyond it, 503 hold full')
          .argParser(byteSize)
          .default(100 * 1024 * 1024, '100mb'),
      )
      .option(
        '--data-dir <dir>',
        'where held deliveries are kept: relay-held.db (default: the config directory); with --redis, in Redis Streams',
      )
      .addHelpText(
        'after',
        examples([
          'webhooks-cli relay --port 8080',
          'webhooks-cli relay --data-dir /var/lib/webhooks-relay --hold-for 24h --hold-max 5000',
          "webhooks-cli relay keys add alice   # prints alice's key once",
          'webhooks-cli relay --host 0.0.0.0 --port 8080 --public-url https://relay.example.com --redis redis://10.0.0.5:6379',
          'webhooks-cli listen --secret s3cret --relay wss://relay.example.com --relay-key rk_…   # on the laptop',
        ]),
      )
  );
}
export type RelayOptions = OptionsOf<typeof defineRelay>;

/** `held list` */
export function defineHeldList(parent: CommandUnknownOpts) {
  return parent.command('list').description("each channel's held deliveries: count, bytes, the oldest's age");
}
export type HeldListOptions = OptionsOf<typeof defineHeldList>;

/** `held drop` */
export function defineHeldDrop(parent: CommandUnknownOpts) {
  return parent
    .command('drop <channel>')
    .description("empty CHANNEL's held deliveries (its senders got 202; they are not delivered)");
}
export type HeldDropOptions = OptionsOf<typeof defineHeldDrop>;

/** `keys add` */
export function defineKeysAdd(parent: CommandUnknownOpts) {
  return parent.command('add <name>').description('create a key for NAME and print it once');
}
export type KeysAddOptions = OptionsOf<typeof defineKeysAdd>;

/** `keys list` */
export function defineKeysList(parent: CommandUnknownOpts) {
  return parent.command('list').description('every key: name, created, last used, revoked (never the key)');
}
export type KeysListOptions = OptionsOf<typeof defineKeysList>;

/** `keys revoke` */
export function defineKeysRevoke(parent: CommandUnknownOpts) {
  return parent
    .command('revoke <name>')
    .description("revoke NAME's key; a running relay disconnects its listeners within seconds");
}
export type KeysRevokeOptions = OptionsOf<typeof defineKeysRevoke>;
