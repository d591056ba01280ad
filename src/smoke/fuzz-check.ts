/**
 * `smoke --fuzz N [--seed S]`: N more deliveries with schema-valid, unusual payloads generated
 * from the event schemas, each correctly signed, each to be answered 2xx. On a failure
 * fast-check shrinks it to the smallest payload that still fails; that payload is reported,
 * saved as a whole envelope `trigger --data` resends byte for byte, and the seed named.
 * Loaded only with --fuzz (fast-check and the generators are not needed otherwise).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { newDeliveryId } from '../core/delivery-id.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { fileSystemReason } from '../errors.js';
import { envelopeArbitrary } from '../schemas/schema-arbitrary.js';
import { type CheckResult, type ExchangeOutcome, meetsExpectation } from './check-verdict.js';
import type { ProbeRequest } from './smoke-checks.js';
import type { ExtraCheck } from './smoke-run.js';

export interface FuzzOptions {
  runs: number;
  seed: number;
  events: readonly string[];
  secret: string;
  userAgent: string;
  /** Where a failing payload is saved (`--failures-dir`, default ./webhooks-smoke-failures/). */
  failuresDir: string;
  /** How long shrinking may go on after the first failure (default 60 s). */
  shrinkBudgetMs?: number;
}

export const FUZZ_CHECK_ID = 'fuzz.schema-valid-payloads';

/**
 * How long shrinking may go on after the first failure: against a receiver that hangs, each try
 * can take the whole --timeout. Past it, the smallest failure so far is the one reported.
 */
const SHRINK_BUDGET_MS = 60_000;

export function fuzzCheck(options: FuzzOptions): ExtraCheck {
  const title = `${options.runs} schema-valid, unusual payloads are each answered 2xx`;
  return {
    id: FUZZ_CHECK_ID,
    group: 'fuzz',
    title,
    async run(send, control) {
      const started = performance.now();
      const payloads = fc.oneof(...options.events.map((type) => envelopeArbitrary(type)));
      let lastFailure: { body: Buffer; outcome: ExchangeOutcome } | undefined;
      let shrinkDeadline = Number.POSITIVE_INFINITY;
      let shrinkingCut = false;
      const budgetMs = options.shrinkBudgetMs ?? SHRINK_BUDGET_MS;
      const property = fc.asyncProperty(payloads, async (envelope) => {
        // Stopped (Ctrl-C): nothing more is sent; the run's result is not used.
        if (control?.interrupted()) return true;
        // Out of time: every further candidate counts as passing, so shrinking stops where it is.
        if (performance.now() > shrinkDeadline) return (shrinkingCut = true);
        const request = signedRequest(envelope, options);
        const outcome = await send(request);
        const passed = outcome.status !== null && meetsExpectation('2xx', outcome.status);
        if (!passed) {
          lastFailure = { body: request.body, outcome };
          shrinkDeadline = Math.min(shrinkDeadline, performance.now() + budgetMs);
        }
        return passed;
      });
      const details = await fc.check(property, { numRuns: options.runs, seed: options.seed });
      const result = (passed: boolean, reason: string, exchanges: ExchangeOutcome[]): CheckResult => ({
        id: FUZZ_CHECK_ID,
        group: 'fuzz',
        title,
        expect: '2xx',
        passed,
        reason,
        exchanges,
        warnings: [],
        notRun: false,
        latencyMs: Math.round(performance.now() - started),
      });
      const reproduce = `reproduce with --fuzz ${options.runs} --seed ${options.seed}`;
      if (!details.failed || !lastFailure)
        return result(true, `${details.numRuns} payloads answered 2xx (seed ${options.seed}; ${reproduce})`, []);

      // The last failing payload is the shrunk one: shrinking moves to each smaller failure it finds.
      const { body, outcome } = lastFailure;
      const saved = saveFailure(options.failuresDir, outcome.event, options.seed, body);
      const answer = outcome.status === null ? (outcome.error ?? 'no answer') : `answered ${outcome.status}`;
      const firstFailure = details.numRuns;
      return result(
        false,
        `${answer} to payload ${firstFailure} of ${options.runs}, shrunk in ${details.numShrinks} steps${shrinkingCut ? ` (stopped after ${budgetMs / 1000} s)` : ''} to ${body.length} bytes: ${body.toString('utf8')}` +
          ` — ${saved.ok ? `saved to ${saved.path}; resend it with webhooks-cli trigger --data ${saved.path}` : `could not save it: ${saved.error}`}; ${reproduce}`,
        [{ ...outcome, label: 'shrunk payload' }],
      );
    },
  };
}

function signedRequest(envelope: Record<string, unknown>, options: FuzzOptions): ProbeRequest {
  const event = envelope.event as string;
  const deliveryId = newDeliveryId();
  // Serialised once: these bytes are signed, sent, and saved if they fail.
  const body = Buffer.from(JSON.stringify(envelope), 'utf8');
  const headers = webhookHeaders({ event, deliveryId, body, secret: options.secret, userAgent: options.userAgent });
  return { label: 'fuzz payload', event, deliveryId, headers, body, valid: true };
}

/** Writes the exact bytes sent as `<dir>/<event>-seed-<seed>.json`; the path is given relative when shorter. */
function saveFailure(
  dir: string,
  event: string,
  seed: number,
  body: Buffer,
): { ok: true; path: string } | { ok: false; error: string } {
  const file = join(dir, `${event}-seed-${seed}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, body);
  } catch (err) {
    return { ok: false, error: fileSystemReason(err) };
  }
  const short = relative(process.cwd(), file);
  return { ok: true, path: short.startsWith('..') || short.length > file.length ? file : short };
}
