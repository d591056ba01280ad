import { listenForStop } from '../cli/stop-signal.js';
import type { CommandContext } from '../cli/context.js';
import { logLine } from '../cli/output.js';
import { resolveSetting } from '../config/settings.js';
import { maskSecret, redactUrl } from '../core/redact.js';
import { apiConnection } from '../api/api-endpoint.js';
import { parseEventList } from '../api/webhook-changes.js';
import { EXIT_OK, UsageError, UserError } from '../errors.js';
import { parseForwardTarget, startListener, type Listener, type ListenerInfo } from '../receiver/index.js';
import { normaliseRelayUrl } from '../tunnel/forwarding-rules.js';
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
  requestTimeout: number;
  relay?: string;
  relayKey?: string;
  relayChannel?: string;
  tui: boolean;
  /** Register a webhook for this listener via the API, removed on exit. */
  register?: boolean;
  registerEvents?: string[];
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
  const relayUrl = options.relay === undefined ? undefined : parseRelayUrl(options.relay);
  const relayChannel = options.relayChannel === undefined ? undefined : parseChannelName(options.relayChannel);
  const registerEvents = options.register ? parseEventList(options.registerEvents ?? ['all'], '--register-events') : undefined;
  // A bad --api-url or a missing token is a usage error before anything starts.
  if (registerEvents) apiConnection(ctx.apiUrl, ctx.token);

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
    requestTimeoutMs: options.requestTimeout,
  });
  // Features started beside the listener push how to end them here; they end before it closes.
  const cleanups: Cleanup[] = [];
  let flushLines = () => {};
  const stopped = listenForStop();
  let until: Promise<unknown> = stopped.received;
  let tunnelFailure: UserError | undefined;
  // Set once every feature is up: a start that failed (e.g. the registration) ends with its error alone.
  let running = false;
  try {
    const tui = ctx.interactive && options.tui;
    if (relayUrl) {
      const { connectListenerToRelay } = await import('../tunnel/listen-tunnel.js');
      const relayKey = resolveSetting('relay-key', options.relayKey);
      const tunnel = connectListenerToRelay(listener, { relayUrl, relayKey, channelName: relayChannel, onWarning: tui ? undefined : (m) => logLine(ctx, `relay: ${m}`) });
      cleanups.push(() => tunnel.stop());
      // A refused or taken-over channel ends listen: its public URL no longer reaches this machine.
      until = Promise.race([until, tunnel.ended.then((end) => {
        if (end.reason !== 'stopped') tunnelFailure = new UserError(end.message, { hint: end.hint });
      })]);
    }
    if (registerEvents) {
      const { registerListener } = await import('../api/listener-registration.js');
      // Behind a relay, the platform must call the public URL, which is known once the tunnel is up.
      const url = relayUrl ? await publicUrlOf(listener) : listener.url;
      const registration = await registerListener({ baseUrl: ctx.apiUrl, token: ctx.token }, { url, secrets: listener.secrets }, registerEvents, (line) => logLine(ctx, line));
      cleanups.push(() => registration.remove());
      listener.setInfo({ webhookId: registration.webhookId });
    }
    running = true;
    if (tui) {
      const { runListenTui } = await import('../ui/listen/run-listen-tui.js');
      await runListenTui(listener, { verify: options.verify, stopped: until });
    } else {
      flushLines = printLines(ctx, listener, options);
      await until;
    }
  } finally {
    stopped.dispose();
    for (const cleanup of cleanups.reverse()) await cleanup();
    const summary = await listener.close();
    flushLines();
    const { received } = listener.stats();
    const spilled = summary.spilled ? `; ${summary.spilled} kept in ${ctx.dbPath}.spool until the database is free` : '';
    if (running || received > 0 || summary.spilled) logLine(ctx, `stopped: ${received} request${received === 1 ? '' : 's'} received, all recorded in ${ctx.dbPath}${spilled}`);
  }
  if (tunnelFailure) throw tunnelFailure;
  return EXIT_OK;
}

const PUBLIC_URL_WAIT_MS = 10_000;

/** The relay's public URL for this listener, once the tunnel has one. */
function publicUrlOf(listener: Listener): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (info: ListenerInfo) => {
      if (!info.relay?.publicUrl) return;
      done();
      resolve(info.relay.publicUrl);
    };
    const timer = setTimeout(() => {
      done();
      reject(new UserError(`the relay gave no public URL within ${PUBLIC_URL_WAIT_MS / 1000} s, so there is nothing to register`, { hint: 'check that the relay is running, or drop --register' }));
    }, PUBLIC_URL_WAIT_MS);
    const unsubscribe = listener.onInfo(check);
    const done = () => (clearTimeout(timer), unsubscribe());
    check(listener.info());
  });
}

function parseRelayUrl(value: string): string {
  try {
    return normaliseRelayUrl(value);
  } catch {
    throw new UsageError(`--relay "${value}" is not a ws:// or wss:// URL`, 'e.g. --relay ws://127.0.0.1:8080, as printed by `webhooks-cli relay`');
  }
}

function parseChannelName(value: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) return value;
  throw new UsageError(`--relay-channel "${value}" is not a usable name`, 'use letters, digits, . _ - (up to 64), e.g. --relay-channel orders-app');
}

const LINE_FLUSH_MS = 20;

/**
 * Without the TUI: a banner on stderr, one line (or JSON line) per request on stdout. Returns a
 * function that writes the lines still pending.
 */
function printLines(ctx: CommandContext, listener: Listener, options: ListenOptions): () => void {
  const secrets = listener.secrets.map(maskSecret).join(', ') || '(none)';
  const mode = !options.verify ? 'not verifying' : `secrets ${secrets}`;
  const forwarding = listener.forwardTo ? `, forwarding to ${redactUrl(listener.forwardTo.href)}` : '';
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
  const showInfo = (info: ListenerInfo) => {
    const relay = info.relay;
    if (relay && JSON.stringify(relay) !== JSON.stringify(shown.relay)) {
      logLine(ctx, `relay: ${relay.state}${relay.publicUrl ? ` — public URL ${relay.publicUrl}` : ''}${relay.message ? ` (${relay.message})` : ''}`);
      if (ctx.json) ctx.stdout.write(JSON.stringify({ type: 'relay', ...relay }) + '\n');
    }
    if (info.webhookId && info.webhookId !== shown.webhookId) logLine(ctx, `registered as webhook ${info.webhookId}`);
    shown = info;
  };
  listener.onInfo(showInfo);
  showInfo(listener.info());
  return flush;
}
