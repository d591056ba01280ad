/** `inspect`: the web inspector over the history alone, until Ctrl-C. */
import type { CommandContext } from '../cli/context.js';
import type { InspectOptions } from '../cli/define-listen.js';
import { logLine, printLine } from '../cli/output.js';
import { listenForStop } from '../cli/stop-signal.js';
import { resolveSetting } from '../config/settings.js';
import { EXIT_OK } from '../errors.js';
import { DEFAULT_INSPECT_PORT } from '../inspector/defaults.js';
import { startInspector } from '../inspector/inspector-server.js';
import { HistoryStore } from '../store/history-store.js';

export async function inspectCommand(ctx: CommandContext, options: InspectOptions): Promise<number> {
  // A mistyped --db is named here, not answered with an empty new history.
  HistoryStore.openExisting(ctx.dbPath).close();
  const secrets = options.secret?.length
    ? options.secret
    : [resolveSetting('secret', undefined, ctx)].filter((s): s is string => s !== undefined);
  const inspector = await startInspector({
    dbPath: ctx.dbPath,
    host: options.host,
    port: options.port ?? DEFAULT_INSPECT_PORT,
    nextFreePort: options.port === undefined,
    mode: 'history',
    secrets,
    noSecretHint: 'restart inspect with --secret, set WEBHOOKS_SECRET, or `webhooks-cli config set secret …`',
    env: ctx.env,
    cwd: process.cwd(),
  });
  // Listen for the stop signal before announcing the URL: whoever reads it may signal at once.
  const stop = listenForStop(ctx.signals);
  try {
    if (ctx.json) printLine(ctx, JSON.stringify({ type: 'inspecting', inspector_url: inspector.url, db: ctx.dbPath }));
    else printLine(ctx, inspector.url);
    logLine(ctx, `inspector on ${inspector.url} over ${ctx.dbPath} — Ctrl-C to stop`);
    if (secrets.length === 0) logLine(ctx, 'no secret: signatures are shown as recorded, and replays need --secret');
    await stop.received;
  } finally {
    stop.dispose();
    await inspector.close();
  }
  return EXIT_OK;
}
