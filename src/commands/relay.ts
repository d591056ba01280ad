import type { CommandContext } from '../cli/context.js';
import type { RelayOptions as RelayCommandOptions } from '../cli/define-relay.js';
import { logLine, printLine } from '../cli/output.js';
import { listenForStop } from '../cli/stop-signal.js';
import { EXIT_OK, listenError, requireHttpUrl, UserError } from '../errors.js';
import { printable } from '../format/terminal-text.js';
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
    log,
  }).catch((err: unknown) => {
    stop.dispose();
    access.close();
    throw err;
  });
  logAccess(access, relay.url, log);
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
