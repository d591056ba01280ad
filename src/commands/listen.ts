import type { CommandContext } from '../cli/context.js';
import { logLine } from '../cli/output.js';
import { resolveSetting } from '../config/settings.js';
import { maskSecret } from '../core/redact.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseForwardTarget, startListener, type Listener, type ListenerInfo } from '../receiver/index.js';
import { selectProductionReact } from '../ui/react-mode.js';
import { formatRequestLine, requestJson } from '../ui/request-line.js';

export interface ListenOptions {
  port: number;
  host: string;
  path: string;
  secret?: string[];
  verify: boolean;
  maxBody: number;
  respondStatus?: number;
  respondDelay: number;
  forwardTo?: string;
  allowRemoteForward?: boolean;
  forwardTimeout: number;
  tui: boolean;
}

/** How to end a feature started beside the listener (a relay tunnel, a registration). */
type Cleanup = () => Promise<void> | void;

export async function listenCommand(ctx: CommandContext, options: ListenOptions): Promise<number> {
  const secrets = options.secret?.length ? options.secret : [resolveSetting('secret', undefined)].filter((s): s is string => s !== undefined);
  if (options.verify && secrets.length === 0) {
    throw new UsageError('no secret to verify signatures with', 'pass --secret S (repeatable), set WEBHOOKS_SECRET, or pass --no-verify to accept any request');
  }
  if (!options.path.startsWith('/')) throw new UsageError(`--path "${options.path}" must start with /`, 'e.g. --path /webhook');
  const forwardTo = options.forwardTo === undefined ? undefined : parseForwardTarget(options.forwardTo, Boolean(options.allowRemoteForward));

  const listener = await startListener({
    dbPath: ctx.dbPath,
    host: options.host,
    port: options.port,
    path: options.path,
    secrets,
    verify: options.verify,
    maxBodyBytes: options.maxBody,
    respondStatus: options.respondStatus,
    respondDelayMs: options.respondDelay,
    forwardTo,
    forwardTimeoutMs: options.forwardTimeout,
  });
  // Features started beside the listener push how to end them here; they end before it closes.
  const cleanups: Cleanup[] = [];
  let flushLines = () => {};
  const stopped = stopSignal();
  try {
    if (ctx.interactive && options.tui) {
      selectProductionReact();
      const { runListenTui } = await import('../ui/listen/run-listen-tui.js');
      await runListenTui(listener, { verify: options.verify, stopped: stopped.promise });
    } else {
      flushLines = printLines(ctx, listener, options);
      await stopped.promise;
    }
  } finally {
    stopped.dispose();
    for (const cleanup of cleanups.reverse()) await cleanup();
    const summary = await listener.close();
    flushLines();
    const { received } = listener.stats();
    const spilled = summary.spilled ? `; ${summary.spilled} kept in ${ctx.dbPath}.spool until the database is free` : '';
    logLine(ctx, `stopped: ${received} request${received === 1 ? '' : 's'} received, all recorded in ${ctx.dbPath}${spilled}`);
  }
  return EXIT_OK;
}

const LINE_FLUSH_MS = 20;

/**
 * Without the TUI: a banner on stderr, one line (or JSON line) per request on stdout. Returns a
 * function that writes the lines still pending.
 */
function printLines(ctx: CommandContext, listener: Listener, options: ListenOptions): () => void {
  const secrets = listener.secrets.map(maskSecret).join(', ') || '(none)';
  const mode = !options.verify ? 'not verifying' : `secrets ${secrets}`;
  const forwarding = listener.forwardTo ? `, forwarding to ${listener.forwardTo.href}` : '';
  logLine(ctx, `listening on ${listener.url} (${mode}${forwarding}) — Ctrl-C to stop`);
  if (ctx.json) ctx.stdout.write(JSON.stringify({ type: 'listening', url: listener.url, port: listener.port }) + '\n');
  // Lines are gathered and written every few milliseconds: one write per request would cost more
  // than the request itself at thousands a second.
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let readerGone = false;
  // `listen | head`: when the reader goes away, keep receiving and recording, stop printing.
  ctx.stdout.on('error', () => (readerGone = true));
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!readerGone && pending.length) ctx.stdout.write(pending.join(''));
    pending = [];
  };
  listener.onRecord((record) => {
    if (readerGone) return;
    timer ??= setTimeout(flush, LINE_FLUSH_MS);
    pending.push((ctx.json ? JSON.stringify(requestJson(record)) : formatRequestLine(record, ctx.color)) + '\n');
  });
  listener.onWriteProblem((problem) => logLine(ctx, problem ? `warning: ${problem}` : 'the history database is writable again; all requests recorded'));
  let shown: ListenerInfo = {};
  listener.onInfo((info) => {
    const relay = info.relay;
    if (relay && JSON.stringify(relay) !== JSON.stringify(shown.relay)) {
      logLine(ctx, `relay: ${relay.state}${relay.publicUrl ? ` — public URL ${relay.publicUrl}` : ''}${relay.message ? ` (${relay.message})` : ''}`);
    }
    if (info.webhookId && info.webhookId !== shown.webhookId) logLine(ctx, `registered as webhook ${info.webhookId}`);
    shown = info;
  });
  return flush;
}

/**
 * Resolves on the first Ctrl-C, SIGTERM or SIGHUP (the terminal closed); the listener then drains
 * and records before exiting.
 */
function stopSignal(): { promise: Promise<void>; dispose: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const onSignal = () => resolve();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.once(signal, onSignal);
  return {
    promise,
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
