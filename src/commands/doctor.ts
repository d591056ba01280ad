import type { CommandContext } from '../cli/context.js';
import type { DoctorOptions } from '../cli/define-doctor.js';
import { logLine, noteProxyRoute, printJson, printLine } from '../cli/output.js';
import { resolveSetting } from '../config/settings.js';
import { redactUrl } from '../core/redact.js';
import { diagnosisJson, diagnosisLine, triedLines } from '../doctor/doctor-report.js';
import { runDoctor } from '../doctor/doctor-run.js';
import { EXIT_FAILED, EXIT_OK, requireHttpUrl, UsageError } from '../errors.js';
import { palette } from '../format/display.js';
import { openHistorySpool } from '../store/delivery-spool.js';
import { USER_AGENT } from '../version.js';
import { requireEventType } from './event-arguments.js';

export async function doctorCommand(ctx: CommandContext, options: DoctorOptions): Promise<number> {
  const url = requireHttpUrl(options.url, '--url').href;
  const secret = resolveSetting('secret', options.secret, ctx);
  if (!secret)
    throw new UsageError(
      'no signing secret',
      'pass --secret (the secret your receiver should verify with), or set WEBHOOKS_SECRET',
    );
  if (options.event !== undefined) requireEventType(options.event);
  // Open the history spool before sending, so an unwritable --db is reported up front.
  const spool = openHistorySpool(ctx.dbPath);
  noteProxyRoute(ctx, url);
  let report: Awaited<ReturnType<typeof runDoctor>>;
  try {
    report = await runDoctor({
      url,
      secret,
      event: options.event,
      timeoutMs: options.timeout,
      userAgent: USER_AGENT,
      env: ctx.env,
      record: (r) => {
        spool.append(r);
        spool.flush();
      },
    });
  } finally {
    spool.close();
  }
  if (ctx.json) printJson(ctx, diagnosisJson(report));
  else {
    const c = palette(ctx.color);
    printLine(
      ctx,
      report.verdict === 'ok' ? c.green(`✓ ${diagnosisLine(report)}`) : c.red(`✗ ${diagnosisLine(report)}`),
    );
    if (ctx.verbose) {
      printLine(
        ctx,
        `${report.tried.length} deliveries sent to ${redactUrl(report.url)} (${report.event}), each in the history:`,
      );
      for (const line of triedLines(report)) printLine(ctx, line);
    }
  }
  if (report.verdict === 'unreachable') logLine(ctx, `error: ${report.summary}`);
  return report.verdict === 'ok' ? EXIT_OK : EXIT_FAILED;
}
