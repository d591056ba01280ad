/**
 * `listen`: flags in, one listen session (listener, relay tunnel, registration), its events out
 * as lines, JSON lines or the TUI, until Ctrl-C or the relay ends it.
 */

import type { CommandContext } from '../cli/context.js';
import { logLine, noteProxyRoute } from '../cli/output.js';
import { givenSecrets } from '../cli/secret-flags.js';
import { listenForStop } from '../cli/stop-signal.js';
import { redactUrl } from '../core/redact.js';
import { diagnosisJson } from '../doctor/doctor-report.js';
import { EXIT_OK, type UserError } from '../errors.js';
import { palette } from '../format/display.js';
import { printable, printableJson } from '../format/terminal-text.js';
import type { ListenerInfo } from '../receiver/index.js';
import { type ListenSession, startListenSession } from '../receiver/listen-session.js';
import {
  backlogLine,
  formatRequestLine,
  inspectorLine,
  listeningLine,
  relayLine,
  requestJson,
  routeVerdictLine,
  stoppedLine,
} from '../ui/request-line.js';
import { type ListenOptions, sessionOptions } from './listen-options.js';

export async function listenCommand(ctx: CommandContext, options: ListenOptions): Promise<number> {
  // `--secret -` and `--secret-file` read here, so the session sees the secrets as if given as flags.
  const settings = sessionOptions(ctx, { ...options, secret: await givenSecrets(ctx, options) });
  for (const route of settings.routes ?? []) noteProxyRoute(ctx, route.url, 'forwarded requests');
  if (settings.relayUrl) noteProxyRoute(ctx, settings.relayUrl, 'connections');
  const tui = ctx.interactive && options.tui;
  // Set once every feature is up: a start that failed (e.g. the registration) ends with its error alone.
  let running = false;
  const stopSignal = listenForStop(ctx.signals, { again: true });
  let session: ListenSession;
  try {
    session = await startListenSession(
      { ...settings, keepEarlyRecords: tui },
      {
        // Both may quote what a relay or an API said: shown printable.
        relayWarning: tui ? undefined : (message) => logLine(ctx, printable(`relay: ${message}`)),
        registrationNote: (line) => logLine(ctx, printable(line)),
        stopped: (summary) => {
          if (running || summary.received > 0 || summary.spilled) logLine(ctx, stoppedLine(summary, ctx.dbPath));
        },
      },
    );
  } catch (err) {
    stopSignal.dispose();
    throw err;
  }
  let failure: UserError | undefined;
  try {
    running = true;
    const until = Promise.race([stopSignal.received, session.failed.then((err) => void (failure = err))]);
    if (tui) {
      // What arrived before the view loaded is listed once it has (the session kept it).
      const listener = session.listener;
      const [{ runListenTui }, { replayThroughListener }, { TerminalHandOver }] = await Promise.all([
        import('../ui/listen/run-listen-tui.js'),
        import('../delivery/replay-action.js'),
        import('../ui/tui/terminal-hand-over.js'),
      ]);
      const terminal = new TerminalHandOver(ctx);
      await runListenTui(listener, {
        verify: options.verify,
        stopped: until,
        replay: replayThroughListener(session.listener, { env: ctx.env, lend: (work) => terminal.lend(work) }),
        terminal,
      });
    } else {
      printLines(ctx, session, options);
      await until;
    }
  } finally {
    // A second Ctrl-C while closing: stop waiting, spool what is not written, end.
    await session.stop({ cutShort: stopSignal.again });
    stopSignal.dispose();
  }
  if (failure) throw failure;
  return EXIT_OK;
}

/** `{"type":"backlog","state":"caught-up","count":1204,"skipped":0,"max_held_ms":…}` */
function backlogJson(backlog: NonNullable<ListenerInfo['backlog']>) {
  return {
    type: 'backlog',
    state: backlog.state,
    count: backlog.count,
    skipped: backlog.skipped,
    oldest_held_ms: backlog.oldestHeldMs ?? null,
    max_held_ms: backlog.maxHeldMs ?? null,
  };
}

/** Without the TUI: a banner on stderr, one line (or JSON line) per request on stdout. */
function printLines(
  ctx: CommandContext,
  session: ListenSession,
  options: Pick<ListenOptions, 'verify' | 'validate' | 'strict'>,
): void {
  const { listener } = session;
  logLine(
    ctx,
    listeningLine(listener, options.verify, options.strict ? 'strict' : options.validate ? 'checked' : undefined),
  );
  const inspectorUrl = listener.info().inspectorUrl ?? null;
  if (inspectorUrl) logLine(ctx, inspectorLine(inspectorUrl));
  if (ctx.json)
    ctx.stdout.write(
      `${JSON.stringify({ type: 'listening', url: listener.url, port: listener.port, inspector_url: inspectorUrl })}\n`,
    );
  const stopPrinting = session.on('requests', (records) => {
    ctx.stdout.write(
      records.map((r) => `${ctx.json ? printableJson(requestJson(r)) : formatRequestLine(r, ctx.color)}\n`).join(''),
    );
  });
  // The doctor's verdict on a route whose app rejected a delivery listen verified: once per route.
  const stopDiagnoses = session.on('diagnosis', (verdict) => {
    if (!ctx.json) return void ctx.stdout.write(`${routeVerdictLine(verdict, ctx.color)}\n`);
    const { pattern, url } = verdict.route;
    ctx.stdout.write(
      `${JSON.stringify({ type: 'diagnosis', route: pattern, ...diagnosisJson(verdict.report), url: redactUrl(url.href) })}\n`,
    );
  });
  // `listen | head`: when the reader goes away, keep receiving and recording, stop printing.
  ctx.stdout.on('error', stopPrinting);
  ctx.stdout.on('error', stopDiagnoses);
  let refusing = false;
  session.on('writeProblem', (problem) => {
    const c = palette(ctx.color);
    if (!problem)
      logLine(
        ctx,
        refusing
          ? 'the history is writable again: requests are accepted and recorded again'
          : 'the history database is writable again',
      );
    // Said once, and loudly: from now on senders get 503 and must retry.
    else if (problem.refusing) logLine(ctx, c.bold(c.red(`error: NOT RECORDING: ${problem.message}`)));
    else logLine(ctx, `warning: ${problem.message}`);
    refusing = problem?.refusing ?? false;
  });
  let shown: ListenerInfo = {};
  const showInfo = (info: ListenerInfo) => {
    const relay = info.relay;
    if (relay && JSON.stringify(relay) !== JSON.stringify(shown.relay)) {
      logLine(ctx, relayLine(relay));
      if (ctx.json) ctx.stdout.write(`${printableJson({ type: 'relay', ...relay })}\n`);
    }
    if (info.webhookId && info.webhookId !== shown.webhookId) logLine(ctx, `registered as webhook ${info.webhookId}`);
    const refused = info.appDown?.refused ?? 0;
    if (info.appDown?.lastRefused && refused !== (shown.appDown?.refused ?? 0)) {
      const { deliveryId, why } = info.appDown.lastRefused;
      // The sender was told 202: say it here, since nobody will retry it.
      logLine(
        ctx,
        palette(ctx.color).red(
          `app refused held delivery ${printable(deliveryId ?? '(no id)')}: ${printable(why)} — not retried further`,
        ),
      );
      if (ctx.json)
        ctx.stdout.write(`${printableJson({ type: 'app-refused', delivery_id: deliveryId, reason: why })}\n`);
    }
    if (info.appDown && info.appDown.held !== (shown.appDown?.held ?? 0)) {
      const { held } = info.appDown;
      const was = shown.appDown?.held ?? 0;
      // The moments that matter, not every count: down, and back with everything passed on.
      if (was === 0) logLine(ctx, `app down: holding deliveries (answered 202) and retrying the app with backoff`);
      if (held === 0) logLine(ctx, 'app back: every held delivery passed on, in arrival order');
      if (ctx.json) ctx.stdout.write(`${JSON.stringify({ type: 'app', held })}\n`);
    }
    if (info.backlog && info.backlog !== shown.backlog) {
      const line = backlogLine(info.backlog);
      if (line) logLine(ctx, `relay: ${line}`);
      if (ctx.json) ctx.stdout.write(`${JSON.stringify(backlogJson(info.backlog))}\n`);
    }
    shown = info;
  };
  session.on('info', showInfo);
  showInfo(listener.info());
}
