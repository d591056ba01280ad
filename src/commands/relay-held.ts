import type { CommandContext } from '../cli/context.js';
import type { RelayOptions } from '../cli/define-relay.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { formatTable } from '../format/columns.js';
import { formatSpan } from '../format/display.js';
import { holdFilePath, openHoldStore } from '../relay/hold-location.js';
import { requireRedisUrl } from '../relay/relay-options.js';
import type { HoldStore } from '../store/hold-store.js';
import { isWellFormedChannelId } from '../tunnel/channel-token.js';

/** The `relay` options each `relay held` command inherits: where the held deliveries are. */
type HeldOptions = Pick<RelayOptions, 'dataDir' | 'redis'>;

/** `relay held list`: per channel, how many deliveries are held, their bytes and the oldest's age. */
export async function listHeld(ctx: CommandContext, options: HeldOptions): Promise<number> {
  const { store, where } = await open(ctx, options);
  const channels = store ? await closing(store, () => store.list()) : [];
  const now = Date.now();
  if (ctx.json) {
    printJson(ctx, {
      store: where,
      channels: channels.map((c) => ({
        channel: c.channel,
        count: c.count,
        bytes: c.bytes,
        oldest_at: c.oldestAt === null ? null : new Date(c.oldestAt).toISOString(),
        oldest_seconds: c.oldestAt === null ? null : Math.round((now - c.oldestAt) / 1000),
      })),
    });
    return EXIT_OK;
  }
  if (channels.length === 0) {
    logLine(ctx, `nothing held in ${where}`);
    return EXIT_OK;
  }
  printLine(
    ctx,
    formatTable(
      ['CHANNEL', 'HELD', 'BYTES', 'OLDEST'],
      channels.map((c) => [
        c.channel,
        c.count.toLocaleString('en-US'),
        c.bytes.toLocaleString('en-US'),
        c.oldestAt === null ? '-' : `${formatSpan(now - c.oldestAt)} ago`,
      ]),
    ),
  );
  return EXIT_OK;
}

/** `relay held drop CHANNEL`: empties one channel's held deliveries. */
export async function dropHeld(ctx: CommandContext, channel: string, options: HeldOptions): Promise<number> {
  if (!isWellFormedChannelId(channel))
    throw new UsageError(
      `"${channel}" is not a channel id`,
      'channel ids look like ch_ and 22 characters; `webhooks-cli relay held list` shows them',
    );
  const { store, where } = await open(ctx, options);
  const dropped = store ? await closing(store, () => store.drop(channel)) : 0;
  if (ctx.json) printJson(ctx, { channel, dropped, store: where });
  else printLine(ctx, `dropped ${dropped.toLocaleString('en-US')} held deliveries of ${channel} (${where})`);
  return EXIT_OK;
}

async function open(ctx: CommandContext, options: HeldOptions): Promise<{ store?: HoldStore; where: string }> {
  const location = {
    dataDir: options.dataDir,
    redisUrl: requireRedisUrl(options.redis ?? (ctx.env.WEBHOOKS_RELAY_REDIS || undefined)),
    env: ctx.env,
  };
  const store = await openHoldStore(location, { existing: true });
  return { store, where: store?.location ?? holdFilePath(location) };
}

async function closing<T>(store: HoldStore, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await store.close();
  }
}
