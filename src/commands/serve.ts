import type { CommandContext } from '../cli/context.js';
import type { ServeOptions } from '../cli/define-api.js';
import { logLine, printLine } from '../cli/output.js';
import { listenForStop } from '../cli/stop-signal.js';
import { FaultStream, hasFaults } from '../core/fault-plan.js';
import { formatDelayRange } from '../core/fault-values.js';
import { maskSecret, redactUrl } from '../core/redact.js';
import { randomSeed } from '../core/seeded-random.js';
import type { AttemptReport } from '../emulator/delivery-engine.js';
import { defaultStatePath, startEmulator } from '../emulator/emulator.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { formatDuration, palette } from '../format/display.js';
import { printable } from '../format/terminal-text.js';
import { proxySettings, proxySettingsLine } from '../http/proxy-settings.js';

/** `serve`: the platform API emulator with its delivery engine, until SIGINT/SIGTERM. */
export async function serveCommand(ctx: CommandContext, options: ServeOptions): Promise<number> {
  if (!(options.timeScale > 0))
    throw new UsageError(
      '--time-scale must be greater than 0',
      'e.g. --time-scale 0.001 makes every retry delay 1000 times shorter',
    );
  const statePath = options.state ?? defaultStatePath(ctx.dbPath);
  const faults = faultStream(options);
  const emulator = await startEmulator({
    statePath,
    port: options.port,
    host: options.host,
    allowedHosts: options.allowHost,
    token: ctx.token,
    timeScale: options.timeScale,
    requestTimeoutMs: options.requestTimeout,
    faults,
    onAttempt: (report) => printAttempt(ctx, report),
    onRequest: ctx.verbose
      ? (r) => logLine(ctx, `${r.method} ${r.path} → ${r.status} (${formatDuration(r.durationMs)})`)
      : undefined,
    env: ctx.env,
  });
  // Listen for the stop signal before announcing readiness: whoever reads the banner may signal at once.
  const stop = listenForStop(ctx.signals);
  const pending = emulator.store.pendingCount();
  logLine(ctx, `webhooks API emulator on ${emulator.url}/api/v1 (OpenAPI: ${emulator.url}/api/v1/openapi.json)`);
  logLine(
    ctx,
    `state ${statePath}${pending ? ` — resuming ${pending} pending deliver${pending === 1 ? 'y' : 'ies'}` : ''}`,
  );
  logLine(
    ctx,
    ctx.token
      ? `token required: ${maskSecret(ctx.token)}`
      : 'any non-empty bearer token accepted (the CLI on this machine sends "dev" when none is set; pass --token to require one)',
  );
  if (options.timeScale !== 1) logLine(ctx, `retry delays × ${options.timeScale}`);
  if (faults) reportFaults(ctx, options, faults.seed);
  const proxies = ctx.verbose ? proxySettingsLine(proxySettings(ctx.env), 'deliveries') : undefined;
  if (proxies) logLine(ctx, proxies);
  logLine(ctx, 'Ctrl-C to stop');
  // The ready line on stdout, as listen and relay print theirs: a script waits for it.
  if (ctx.json)
    printLine(
      ctx,
      JSON.stringify({
        listening: emulator.url,
        api_url: `${emulator.url}/api/v1`,
        openapi_url: `${emulator.url}/api/v1/openapi.json`,
        state: statePath,
      }),
    );
  await stop.received;
  logLine(ctx, 'stopping: pending deliveries stay in the state file and resume on the next start');
  await emulator.close();
  return EXIT_OK;
}

function printAttempt(ctx: CommandContext, r: AttemptReport): void {
  if (ctx.json) {
    printLine(
      ctx,
      JSON.stringify({
        delivery_id: r.deliveryId,
        webhook_id: r.webhookId,
        event: r.event,
        url: redactUrl(r.url),
        attempt: r.attempt,
        status: r.succeeded ? 'succeeded' : 'failed',
        response_status: r.responseStatus,
        duration_ms: r.durationMs,
        error: r.error,
        delivery_status: r.state,
        next_attempt_at: r.nextAttemptAt === null ? null : new Date(r.nextAttemptAt).toISOString(),
        disabled_webhook: r.disabledWebhook,
        duplicate: r.duplicate,
      }),
    );
    return;
  }
  const c = palette(ctx.color);
  const mark = r.succeeded ? c.green('✓') : c.red('✗');
  const status =
    r.responseStatus === null
      ? c.red('---')
      : r.succeeded
        ? c.green(String(r.responseStatus))
        : c.red(String(r.responseStatus));
  const next =
    r.nextAttemptAt !== null
      ? c.dim(` retry at ${new Date(r.nextAttemptAt).toISOString()}`)
      : r.state === 'failed'
        ? c.red(' gave up')
        : '';
  const error = r.error && r.responseStatus === null ? ` ${c.red(printable(r.error))}` : '';
  const duplicate = r.duplicate ? ` ${c.yellow('duplicate')}` : '';
  printLine(
    ctx,
    // The URL is as an API client registered it.
    `${mark} ${status} ${r.event} → ${printable(redactUrl(r.url))} ${c.dim(`${r.deliveryId} #${r.attempt}`)} ${formatDuration(r.durationMs)}${duplicate}${error}${next}`,
  );
  if (r.disabledWebhook) printLine(ctx, c.red(`webhook ${r.webhookId} disabled after too many consecutive failures`));
}

/** `--duplicates`, `--jitter`, `--seed`: the faults every new delivery may get, or none. */
function faultStream(options: ServeOptions): FaultStream | undefined {
  const faults = { duplicates: options.duplicates, jitter: options.jitter };
  if (!hasFaults(faults) && options.seed === undefined) return undefined;
  return new FaultStream(faults, options.seed ?? randomSeed());
}

/** The faults in force and their seed: on stderr, and as a first JSON line with --json. */
function reportFaults(ctx: CommandContext, options: ServeOptions, seed: number): void {
  if (ctx.json) {
    printLine(
      ctx,
      JSON.stringify({
        faults: {
          duplicates: options.duplicates ?? 0,
          jitter_ms: options.jitter ? { min: options.jitter.minMs, max: options.jitter.maxMs } : null,
          seed,
        },
      }),
    );
  }
  const what = [
    options.duplicates ? `duplicates ${options.duplicates}` : '',
    options.jitter ? `jitter ${formatDelayRange(options.jitter)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  logLine(ctx, `faults: ${what || 'none'}, seed ${seed} — pass --seed ${seed} to repeat them`);
}
