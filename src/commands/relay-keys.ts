import type { CommandContext } from '../cli/context.js';
import type { RelayOptions } from '../cli/define-relay.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { EXIT_OK, UserError } from '../errors.js';
import { formatTable } from '../format/display.js';
import { RelayKeyFile, relayKeysPath } from '../relay/keys-file.js';

/** The `relay` options each `relay keys` command inherits (`--keys FILE`). */
type KeysOptions = Pick<RelayOptions, 'keys'>;

/** `relay keys add NAME`: the key on stdout, once; only its hash is kept. */
export function addRelayKey(ctx: CommandContext, name: string, options: KeysOptions): number {
  const file = new RelayKeyFile(relayKeysPath(options.keys, ctx.env));
  const key = file.add(name);
  if (ctx.json) printJson(ctx, { name, key, file: file.path });
  else printLine(ctx, key);
  logLine(
    ctx,
    `key "${name}" added to ${file.path}: hand it to its holder now, it is not shown again (only its hash is stored); they pass it with listen --relay-key or WEBHOOKS_RELAY_KEY`,
  );
  return EXIT_OK;
}

export function listRelayKeys(ctx: CommandContext, options: KeysOptions): number {
  const file = new RelayKeyFile(relayKeysPath(options.keys, ctx.env));
  const keys = file.entries().map(({ name, created, lastUsed, revoked }) => ({
    name,
    created,
    lastUsed: lastUsed ?? null,
    revoked: revoked ?? null,
  }));
  if (ctx.json) return (printJson(ctx, { file: file.path, keys }), EXIT_OK);
  if (keys.length === 0) {
    logLine(
      ctx,
      `no keys in ${file.path}: a relay using it runs open (on loopback, or with --open); add one with relay keys add NAME`,
    );
    return EXIT_OK;
  }
  printLine(
    ctx,
    formatTable(
      ['NAME', 'CREATED', 'LAST USED', 'REVOKED'],
      keys.map((k) => [k.name, k.created, k.lastUsed ?? '-', k.revoked ?? '-']),
    ),
  );
  return EXIT_OK;
}

export function revokeRelayKey(ctx: CommandContext, name: string, options: KeysOptions): number {
  const file = new RelayKeyFile(relayKeysPath(options.keys, ctx.env));
  if (!file.revoke(name))
    throw new UserError(`no live key named "${name}" in ${file.path}`, {
      hint: '`webhooks-cli relay keys list` shows the names',
    });
  if (ctx.json) printJson(ctx, { name, revoked: true, file: file.path });
  logLine(ctx, `key "${name}" revoked; a relay using ${file.path} disconnects its listeners within seconds`);
  return EXIT_OK;
}
