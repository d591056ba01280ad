import { listenForStop } from '../cli/stop-signal.js';
import type { CommandContext } from '../cli/context.js';
import { logLine, printLine } from '../cli/output.js';
import { EXIT_OK, listenError, requireHttpUrl } from '../errors.js';
import { RelayServer, type RelayLogger } from '../tunnel/relay-server.js';

interface RelayCommandOptions {
  port: number;
  host: string;
  publicUrl?: string;
  answerTimeout: number;
  maxBody: number;
  pingInterval: number;
  requestTimeout: number;
}

/** Runs the relay until SIGINT/SIGTERM. Logs go to stderr (JSON lines with --json). */
export async function relayCommand(ctx: CommandContext, options: RelayCommandOptions): Promise<number> {
  const publicUrl = options.publicUrl === undefined ? undefined : requireHttpUrl(options.publicUrl, '--public-url', 'https://relay.example.com').href.replace(/\/+$/, '');
  const log = relayLogger(ctx);
  // Listen for the stop signal before announcing readiness: whoever reads the announcement may signal at once.
  const stop = listenForStop();
  const relay = await startOrExplain({
    host: options.host,
    port: options.port,
    publicUrl,
    answerTimeoutMs: options.answerTimeout,
    maxBodyBytes: options.maxBody,
    pingIntervalMs: options.pingInterval,
    requestTimeoutMs: options.requestTimeout,
    log,
  }).catch((err: unknown) => {
    stop.dispose();
    throw err;
  });
  const connectUrl = relay.url.replace(/^http/, 'ws');
  const webhookBase = publicUrl ?? relay.url;
  if (ctx.json) printLine(ctx, JSON.stringify({ listening: relay.url, connect: connectUrl, publicUrl: webhookBase }));
  else printLine(ctx, `relay listening on ${relay.url} — listeners connect with: webhooks-cli listen --relay ${connectUrl}`);
  const signal = await stop.received;
  log('info', `${signal} received, shutting down`);
  await relay.close();
  return EXIT_OK;
}

async function startOrExplain(options: Parameters<typeof RelayServer.start>[0]): Promise<RelayServer> {
  try {
    return await RelayServer.start(options);
  } catch (err) {
    throw listenError(err, options.host, options.port);
  }
}

function relayLogger(ctx: CommandContext): RelayLogger {
  if (ctx.json) {
    return (level, message, fields) => logLine(ctx, JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
  }
  return (level, message) => logLine(ctx, `${new Date().toISOString().slice(11, 19)} ${level === 'warn' ? 'warn ' : ''}${message}`);
}
