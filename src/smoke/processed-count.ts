/**
 * `--processed-count CMD`: idempotency proven end to end. A shell command prints how many
 * deliveries the app has processed; smoke runs it before and after the run, and the difference
 * must equal the distinct valid deliveries it sent that the app acknowledged — duplicates once,
 * rejected probes (bad or missing signature, not JSON) not at all.
 */
import { exec } from 'node:child_process';
import { isSuccessStatus } from '../core/http-status.js';
import { redactCommand } from '../core/redact.js';
import { UsageError } from '../errors.js';
import type { CheckResult } from './check-verdict.js';

const COMMAND_TIMEOUT_MS = 30_000;

/** Runs `command` in a shell and reads the one integer it prints; anything else is a usage error. */
export function readProcessedCount(command: string): Promise<number> {
  // The command may carry a password (a database URL, PGPASSWORD=…, -pPASS): never print that whole.
  const named = `--processed-count command \`${redactCommand(command)}\``;
  return new Promise((resolve, reject) => {
    exec(command, { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed
          ? `did not finish within ${COMMAND_TIMEOUT_MS / 1000} s`
          : `failed (exit ${err.code ?? `signal ${err.signal}`})`;
        const said = redactCommand(firstLine(stderr));
        reject(
          new UsageError(
            `${named} ${why}${said ? `: ${said}` : ''}`,
            'fix the command: it must print how many deliveries the app has processed, e.g. --processed-count "wc -l < processed.log"',
          ),
        );
        return;
      }
      const text = stdout.trim();
      if (!/^\d+$/.test(text)) {
        reject(
          new UsageError(
            `${named} printed ${text ? `"${redactCommand(firstLine(text)).slice(0, 80)}"` : 'nothing'}, not a whole number`,
            "make it print only the count, e.g. psql -tAc 'select count(*) from webhook_events'",
          ),
        );
        return;
      }
      resolve(Number(text));
    });
  });
}

function deliveries(n: number, kind: string): string {
  return n === 1 ? `1 ${kind} delivery was` : `${n} ${kind} deliveries were`;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

export interface ExpectedProcessed {
  /** Distinct delivery ids of valid deliveries the receiver answered 2xx. */
  expected: number;
  /** Distinct valid deliveries without an answer (timed out, reset): processed or not, who knows. */
  unknown: number;
}

export function expectedProcessed(results: readonly CheckResult[]): ExpectedProcessed {
  const acknowledged = new Set<string>();
  const unanswered = new Set<string>();
  for (const r of results) {
    for (const e of r.exchanges) {
      if (!e.valid) continue;
      if (e.status === null) unanswered.add(e.deliveryId);
      else if (isSuccessStatus(e.status)) acknowledged.add(e.deliveryId);
    }
  }
  const unknown = [...unanswered].filter((id) => !acknowledged.has(id)).length;
  return { expected: acknowledged.size, unknown };
}

export const PROCESSED_COUNT_ID = 'idempotency.processed-count';

/** The check's name and kind, as the report lists it. */
export const PROCESSED_COUNT_CHECK = {
  id: PROCESSED_COUNT_ID,
  group: 'idempotency',
  title: 'each valid delivery was processed once (--processed-count)',
  expect: '2xx',
} as const;

/** The check's verdict from the two counts, with what a difference means. */
export function judgeProcessedCount(
  before: number,
  after: number,
  { expected, unknown }: ExpectedProcessed,
): CheckResult {
  const processed = after - before;
  // Deliveries that got no answer may or may not have been processed: either is right.
  const difference = processed < expected ? processed - expected : Math.max(0, processed - expected - unknown);
  const reason =
    difference === 0
      ? `processed ${processed}, as expected: each valid delivery once, duplicates and rejected probes not at all${unknown ? ` (${unknown} unanswered may count or not)` : ''}`
      : difference > 0
        ? `processed ${processed}, expected ${expected + unknown}: ${deliveries(difference, 'duplicate')} processed twice — skip a delivery whose X-Webhook-Delivery id was processed before`
        : `processed ${processed}, expected ${expected}: ${deliveries(-difference, 'valid')} dropped — every delivery answered 2xx must be processed`;
  return {
    ...PROCESSED_COUNT_CHECK,
    passed: difference === 0,
    reason,
    warnings: [],
    notRun: false,
    latencyMs: 0,
    exchanges: [],
  };
}
