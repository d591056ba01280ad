import { resolve } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import type { SmokeOptions } from '../cli/define-smoke.js';
import { logLine, noteProxyRoute, printJson, printLine } from '../cli/output.js';
import { givenSecret } from '../cli/secret-flags.js';
import { listenForStop, signalExitCode } from '../cli/stop-signal.js';
import { resolveSetting } from '../config/settings.js';
import { EVENT_TYPES } from '../core/events.js';
import { FUZZ_MAX_SEED } from '../core/fault-values.js';
import { readFixtures } from '../delivery/fixtures.js';
import { EXIT_FAILED, EXIT_OK, requireHttpUrl, UsageError } from '../errors.js';
import { formatDuration, palette } from '../format/display.js';
import { prepareReportFile } from '../smoke/report-file.js';
import {
  checkLine,
  humanSummary,
  patternLines,
  progressLine,
  reportJson,
  reportJUnit,
  totalsLine,
} from '../smoke/smoke-report.js';
import { runSmoke, type SmokeReport } from '../smoke/smoke-run.js';
import { openHistorySpool } from '../store/delivery-spool.js';
import { USER_AGENT } from '../version.js';
import { requireEventType } from './event-arguments.js';

export async function smokeCommand(ctx: CommandContext, options: SmokeOptions): Promise<number> {
  const url = requireHttpUrl(options.url, '--url').href;
  const secret = resolveSetting('secret', await givenSecret(ctx, options), ctx);
  if (!secret)
    throw new UsageError(
      'no signing secret',
      'pass --secret (the secret your receiver verifies with), or set WEBHOOKS_SECRET',
    );
  const events = selectedEvents(options.events);
  const fixtures = options.fixtures === undefined ? undefined : readFixtures(options.fixtures, '--fixtures');
  const junit = options.junit === undefined ? undefined : prepareReportFile(options.junit);
  if (options.seed !== undefined && options.fuzz === undefined)
    throw new UsageError('--seed is the seed of --fuzz payloads', 'add --fuzz N, e.g. --fuzz 100 --seed 42');
  const extraChecks =
    options.fuzz === undefined ? [] : [await fuzzCheckFor(ctx, options.fuzz, { ...options, secret, events })];

  // Open the history spool before sending, so an unwritable --db is reported up front.
  const spool = openHistorySpool(ctx.dbPath);
  const c = palette(ctx.color);
  const progress = (line: string) => ctx.stderr.write(`\r\u001b[2K${line}`);
  let failed = 0;
  let done = 0;
  noteProxyRoute(ctx, url);
  if (options.wait)
    logLine(ctx, `waiting up to ${formatDuration(options.wait)} for ${new URL(url).host} to accept connections…`);
  // Ctrl-C (or SIGTERM) stops starting checks and gives those in flight a moment; a second one
  // cuts them off. Either way the partial report is printed and written, as trigger does.
  const stop = listenForStop(ctx.signals, { again: true });
  let signal: NodeJS.Signals | undefined;
  void stop.received.then((s) => (signal = s));
  let report: SmokeReport;
  try {
    report = await runSmoke({
      url,
      secret,
      events,
      fixtures,
      timeoutMs: options.timeout,
      waitMs: options.wait,
      concurrency: options.concurrency,
      bail: options.bail,
      processedCount: options.processedCount,
      userAgent: USER_AGENT,
      extraChecks,
      env: ctx.env,
      interruption: { stop: stop.received, now: stop.again },
      // Flushed per request: a run stopped with Ctrl-C or SIGTERM keeps what it sent.
      record: (r) => {
        spool.append(r);
        spool.flush();
      },
      onCheckStart: ctx.interactive
        ? (check, _i, total) => progress(progressLine(check, done, total, failed, c))
        : undefined,
      onDiagnosing: ctx.interactive
        ? () => progress('signature checks failed: the doctor is finding out why…')
        : undefined,
      onCheckDone: (result) => {
        done++;
        if (!result.passed) failed++;
        // Without a terminal, one line per check as it ends, so a CI log shows a hanging receiver live.
        if (!ctx.interactive && !ctx.json) printLine(ctx, checkLine(result, ctx.stdout.columns || 100));
      },
    });
  } finally {
    stop.dispose();
    spool.close();
    if (ctx.interactive) progress('');
  }

  // A receiver that never accepted a connection is one fact, not a failure per check.
  if (ctx.json) printJson(ctx, reportJson(report));
  else if (report.receiverReachable)
    printLine(
      ctx,
      ctx.interactive
        ? humanSummary(report, c, ctx.stdout.columns || 100)
        : [...patternLines(report), totalsLine(report)].join('\n'),
    );
  if (junit) {
    junit.write(reportJUnit(report));
    logLine(ctx, `JUnit report written to ${junit.path}`);
  }
  if (report.stopped === 'interrupted') {
    const finished = report.checks.length - report.notRun;
    logLine(
      ctx,
      `interrupted: ${finished} of ${report.checks.length} checks finished, the rest reported as not run; every request sent is recorded in the history`,
    );
    return signalExitCode(signal ?? 'SIGINT');
  }
  if (!report.receiverReachable) logLine(ctx, `error: ${report.unreachable}`);
  else if (!report.ok)
    logLine(ctx, `error: ${report.failed} of ${report.checks.length} smoke checks failed against ${report.url}`);
  return report.ok ? EXIT_OK : EXIT_FAILED;
}

/** The --fuzz check; fast-check and the payload generators load only here. */
async function fuzzCheckFor(
  ctx: CommandContext,
  runs: number,
  options: { seed?: number; failuresDir: string; secret: string; events: string[] },
) {
  const [{ fuzzCheck }, { randomSeed }] = await Promise.all([
    import('../smoke/fuzz-check.js'),
    import('../core/seeded-random.js'),
  ]);
  const seed = options.seed ?? randomSeed(FUZZ_MAX_SEED);
  logLine(ctx, `fuzz: ${runs} payloads, seed ${seed}`);
  return fuzzCheck({
    runs,
    seed,
    events: options.events,
    secret: options.secret,
    userAgent: USER_AGENT,
    failuresDir: resolve(options.failuresDir),
  });
}

function selectedEvents(given: string[] | undefined): string[] {
  if (!given || given.length === 0 || given.includes('all')) return [...EVENT_TYPES];
  given.forEach(requireEventType);
  return [...new Set(given)];
}
