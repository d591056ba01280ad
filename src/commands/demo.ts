import type { CommandContext } from '../cli/context.js';
import type { DemoOptions } from '../cli/define-api.js';
import { logLine, printLine } from '../cli/output.js';
import { listenForStop } from '../cli/stop-signal.js';
import { EVENT_TYPES } from '../core/events.js';
import { startDemo } from '../emulator/demo-session.js';
import { EXIT_FAILED, EXIT_OK } from '../errors.js';
import { printableJson } from '../format/terminal-text.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { formatRequestLine, requestJson } from '../ui/request-line.js';

/**
 * `demo`: emulator + listener in-process, every event emitted through the engine. On a
 * terminal it shows the listener's TUI until you quit; otherwise it prints each request as it
 * arrives and exits once all 16 are in (exit 1 if any is missing or failed verification).
 */
export async function demoCommand(ctx: CommandContext, options: DemoOptions): Promise<number> {
  const demo = await startDemo({ dbPath: ctx.dbPath, secret: options.secret });
  const received: DeliveryRecord[] = [];
  let allIn!: () => void;
  const complete = new Promise<void>((resolve) => (allIn = resolve));
  demo.listener.onRecord((record) => {
    received.push(record);
    if (!ctx.interactive)
      printLine(ctx, ctx.json ? printableJson(requestJson(record)) : formatRequestLine(record, ctx.color));
    if (received.length >= EVENT_TYPES.length) allIn();
  });
  logLine(
    ctx,
    `emulator on ${demo.emulator.url}/api/v1 · listener on ${demo.listener.url} · webhook ${demo.webhookId} registered for all ${EVENT_TYPES.length} events`,
  );
  try {
    if (ctx.interactive) {
      const stopped = listenForStop(ctx.signals);
      const [{ runListenTui }, { replayThroughListener }, { TerminalHandOver }] = await Promise.all([
        import('../ui/listen/run-listen-tui.js'),
        import('../delivery/replay-action.js'),
        import('../ui/tui/terminal-hand-over.js'),
      ]);
      const terminal = new TerminalHandOver(ctx);
      let ready!: () => void;
      const listing = new Promise<void>((resolve) => (ready = resolve));
      const tui = runListenTui(demo.listener, {
        verify: true,
        stopped: stopped.received,
        replay: replayThroughListener(demo.listener, { env: ctx.env, lend: (work) => terminal.lend(work) }),
        terminal,
        onReady: ready,
      });
      // The TUI lists only what arrives after it subscribed: emit once it says so (or has ended).
      await Promise.race([listing, tui]);
      await demo.emitAll();
      await tui;
      stopped.dispose();
      return EXIT_OK;
    }
    await demo.emitAll();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([complete, new Promise((r) => (timer = setTimeout(r, options.wait)))]);
    clearTimeout(timer);
  } finally {
    await demo.close();
  }
  const verified = received.filter((r) => r.signatureValid && r.status === 200).length;
  logLine(
    ctx,
    `${verified} of ${EVENT_TYPES.length} events delivered by the engine and verified by the listener; recorded in ${ctx.dbPath} (webhooks-cli history)`,
  );
  return verified === EVENT_TYPES.length ? EXIT_OK : EXIT_FAILED;
}
