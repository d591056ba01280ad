import type { CommandContext } from '../cli/context.js';
import type { RelayOptions as RelayCommandOptions } from '../cli/define-relay.js';
import { logLine, printLine } from '../cli/output.js';
import { listenForStop } from '../cli/stop-signal.js';
import { EXIT_OK, listenError, requireHttpUrl, UserError } from '../errors.js';
import { formatSpan } from '../format/display.js';
import { printable } from '../format/terminal-text.js';
import { openHoldStore } from '../relay/hold-location.js';
import type { HoldSettings } from '../relay/holding.js';
import type { RelayLogger, RelayOptions } from '../relay/relay-options.js';
import { logAccess, openRelayAccess, requireMethods, requireRedisUrl } from '../relay/relay-options.js';
import { RelayServer } from '../relay/relay-server.js';

/** Runs the relay until SIGINT/SIGTERM. Logs go to stderr (JSON lines with --json). */
export async function relayCommand(ctx: CommandContext, options: RelayCommandOptions): Promise<number> {
  const publicUrl =
    options.publicUrl === undefined
      ? undefined
      : requireHttpUrl(options.publicUrl, '--public-url', 'https://relay.example.com').href.replace(/\/+$/, '');
  const redisUrl = requireRedisUrl(options.redis ?? (ctx.env.WEBHOOKS_RELAY_REDIS || undefined));
  const log = relayLogger(ctx);
  const access = openRelayAccess({
    keysFlag: options.keys,
    env: ctx.env,
    host: options.host,
    open: Boolean(options.open),
    log,
  });
  const hold = await holdSettings(ctx, options, redisUrl).catch((err: unknown) => {
    access.close();
    throw err;
  });
  // Listen for the stop signal before announcing readiness: whoever reads the announcement may signal at once.
  const stop = listenForStop(ctx.signals);
  const relay = await startOrExplain({
    host: options.host,
    port: options.port,
    publicUrl,
    access,
    methods: options.methods === undefined ? undefined : requireMethods(options.methods),
    rateLimit: options.rateLimit,
    maxChannelsPerKey: options.maxChannelsPerKey,
    maxPendingPerChannel: options.maxPending,
    redisUrl,
    answerTimeoutMs: options.answerTimeout,
    maxBodyBytes: options.maxBody,
    pingIntervalMs: options.pingInterval,
    requestTimeoutMs: options.requestTimeout,
    hold,
    log,
  }).catch(async (err: unknown) => {
    stop.dispose();
    access.close();
    await hold?.store.close();
    throw err;
  });
  logAccess(access, relay.url, log);
  if (hold)
    log(
      'info',
      `holding deliveries for channels with no listener in ${hold.store.location} (up to ${hold.maxCount} or ${Math.round(hold.maxBytes / 1024 / 1024)} MB a channel, for ${formatSpan(hold.holdForMs)})`,
      { held: hold.store.kind },
    );
  const connectUrl = relay.url.replace(/^http/, 'ws');
  const webhookBase = publicUrl ?? relay.url;
  if (ctx.json)
    printLine(
      ctx,
      JSON.stringify({
        listening: relay.url,
        connect: connectUrl,
        publicUrl: webhookBase,
        keys: access.required,
        redis: redisUrl !== undefined,
      }),
    );
  else
    printLine(
      ctx,
      `relay listening on ${relay.url} — listeners connect with: webhooks-cli listen --relay ${connectUrl}${access.required ? ' --relay-key rk_…' : ''}`,
    );
  const signal = await stop.received;
  log('info', `${signal} received, shutting down`);
  await relay.close();
  return EXIT_OK;
}

/** `--offline hold` (the default): the hold store opened, with the limits; undefined for `refuse`. */
async function holdSettings(
  ctx: CommandContext,
  options: RelayCommandOptions,
  redisUrl: string | undefined,
): Promise<HoldSettings | undefined> {
  if (options.offline === 'refuse') return undefined;
  const store = await openHoldStore({ dataDir: options.dataDir, redisUrl, env: ctx.env });
  return { store: store!, holdForMs: options.holdFor, maxCount: options.holdMax, maxBytes: options.holdMaxBytes };
}

async function startOrExplain(options: RelayOptions): Promise<RelayServer> {
  try {
    return await RelayServer.start(options);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw listenError(err, options.host, options.port);
  }
}

function relayLogger(ctx: CommandContext): RelayLogger {
  if (ctx.json) {
    return (level, message, fields) =>
      logLine(ctx, JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
  }
  // Messages carry text from others (a key name from the file, an error from a socket): one line each, no raw controls.
  return (level, message) =>
    logLine(ctx, `${new Date().toISOString().slice(11, 19)} ${level === 'warn' ? 'warn ' : ''}${printable(message)}`);
}
