import type { CommandContext } from '../cli/context.js';
import type { RelayOptions } from '../cli/define-relay.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { EXIT_OK, UserError } from '../errors.js';
import { formatTable } from '../format/columns.js';
import { openHoldStore } from '../relay/hold-location.js';
import { RelayKeyFile, relayKeysPath } from '../relay/keys-file.js';
import { requireRedisUrl } from '../relay/relay-options.js';

/** The `relay` options each `relay keys` command inherits (`--keys FILE`; for revoke, where held deliveries are). */
type KeysOptions = Pick<RelayOptions, 'keys' | 'dataDir' | 'redis'>;

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

export async function revokeRelayKey(ctx: CommandContext, name: string, options: KeysOptions): Promise<number> {
  const file = new RelayKeyFile(relayKeysPath(options.keys, ctx.env));
  const sha256 = file.entries().find((e) => e.name === name && !e.revoked)?.sha256;
  if (!sha256 || !file.revoke(name))
    throw new UserError(`no live key named "${name}" in ${file.path}`, {
      hint: '`webhooks-cli relay keys list` shows the names',
    });
  // The key is revoked whatever happens here; a running relay also drops these when it sees the revoke.
  const dropped = await dropHeldFor(ctx, sha256, options).catch((err: Error) => {
    logLine(ctx, `warning: could not drop what the key's channels hold: ${err.message}`);
    return 0;
  });
  if (ctx.json) printJson(ctx, { name, revoked: true, file: file.path, dropped });
  logLine(
    ctx,
    `key "${name}" revoked; a relay using ${file.path} disconnects its listeners within seconds${dropped ? `; ${dropped} deliveries held for its channels dropped` : ''}`,
  );
  return EXIT_OK;
}

/** Drops what the channels of the key with this hash hold (a running relay also does, when it sees the revoke). */
async function dropHeldFor(ctx: CommandContext, sha256: string, options: KeysOptions): Promise<number> {
  const redisUrl = requireRedisUrl(options.redis ?? (ctx.env.WEBHOOKS_RELAY_REDIS || undefined));
  const store = await openHoldStore({ dataDir: options.dataDir, redisUrl, env: ctx.env }, { existing: true });
  if (!store) return 0;
  try {
    let dropped = 0;
    for (const known of await store.knownChannels())
      if (known.keySha256 === sha256) dropped += await store.drop(known.channel);
    return dropped;
  } finally {
    await store.close();
  }
}
