/**
 * `smoke --fuzz N [--seed S]`: N more deliveries with schema-valid, unusual payloads generated
 * from the event schemas (fast-check), each correctly signed, each to be answered 2xx. The first
 * failure is shrunk to a small payload the receiver still fails on (payload-shrink.ts, largest
 * steps first, within a time budget); that payload is reported, saved as a whole envelope
 * `trigger --data` resends byte for byte, and the seed named.
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
import { shrinkPayload } from './payload-shrink.js';
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
/** And at most this many tries (requests), whatever the receiver's speed. */
const MAX_SHRINK_TRIES = 1_000;

export function fuzzCheck(options: FuzzOptions): ExtraCheck {
  const title = `${options.runs} schema-valid, unusual payloads are each answered 2xx`;
  return {
    id: FUZZ_CHECK_ID,
    group: 'fuzz',
    title,
    async run(send, control) {
      const started = performance.now();
      const payloads = fc.oneof(...options.events.map((type) => envelopeArbitrary(type)));
      let first: Failure | undefined;
      const property = fc.asyncProperty(payloads, async (envelope) => {
        // Stopped (Ctrl-C): nothing more is sent; the run's result is not used.
        if (control?.interrupted()) return true;
        const request = signedRequest(envelope, options);
        const outcome = await send(request);
        if (answered2xx(outcome)) return true;
        first = { envelope, body: request.body, outcome };
        return false;
      });
      // fast-check generates; the shrinking is ours (payload-shrink.ts), over the schema itself.
      const details = await fc.check(property, { numRuns: options.runs, seed: options.seed, endOnFailure: true });
      const result = (
        passed: boolean,
        reason: string,
        exchanges: ExchangeOutcome[],
        payload?: string,
      ): CheckResult => ({
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
        ...(payload === undefined ? {} : { payload }),
      });
      const reproduce = `reproduce with --fuzz ${options.runs} --seed ${options.seed}`;
      if (!details.failed || !first)
        return result(true, `${details.numRuns} payloads answered 2xx (seed ${options.seed}; ${reproduce})`, []);

      const budgetMs = options.shrinkBudgetMs ?? SHRINK_BUDGET_MS;
      const shrunk = await shrinkFailure(first, send, { ...options, budgetMs, stopped: control?.interrupted });
      const { body, outcome } = shrunk.failure;
      const saved = saveFailure(options.failuresDir, outcome.event, options.seed, body);
      const answer = outcome.status === null ? (outcome.error ?? 'no answer') : `answered ${outcome.status}`;
      const cut =
        shrunk.cut === 'time'
          ? ` (stopped after ${budgetMs / 1000} s)`
          : shrunk.cut === 'tries'
            ? ` (stopped after ${MAX_SHRINK_TRIES} tries)`
            : '';
      const shrinking =
        shrunk.steps === 0
          ? `not shrunk${cut}, ${body.length} bytes`
          : `shrunk in ${shrunk.steps} steps (${shrunk.tries} tries)${cut} to ${body.length} bytes`;
      const flaky = shrunk.confirmed
        ? ''
        : ' (a smaller one failed once, then passed when sent again: the receiver fails intermittently)';
      return result(
        false,
        `${answer} to payload ${details.numRuns} of ${options.runs}, ${shrinking}${flaky}` +
          ` — ${saved.ok ? `saved to ${saved.path}; resend it with webhooks-cli trigger --data ${saved.path}` : `could not save it: ${saved.error}`}; ${reproduce}`,
        [{ ...outcome, label: shrunk.steps ? 'shrunk payload' : 'fuzz payload' }],
        body.toString('utf8'),
      );
    },
  };
}

interface Failure {
  envelope: Record<string, unknown>;
  body: Buffer;
  outcome: ExchangeOutcome;
}

/**
 * Shrinks the first failure to a small payload the receiver fails on the same way, then sends that
 * one once more (the only request of the shrinking recorded in the history: the tries are left
 * out) to check that it fails again. Returns the failure to report.
 */
async function shrinkFailure(
  first: Failure,
  send: (request: ProbeRequest) => Promise<ExchangeOutcome>,
  options: FuzzOptions & { budgetMs: number; stopped?: () => boolean },
): Promise<{ failure: Failure; steps: number; tries: number; cut?: string; confirmed: boolean }> {
  const { EventValidator } = await import('../schemas/event-validator.js');
  const validator = new EventValidator();
  const event = first.outcome.event;
  // Compiled now, so the budget is the receiver's: the type's validator takes a moment to build.
  validator.validate(event, first.envelope);
  let smallest = first;
  const shrunk = await shrinkPayload(first.envelope, {
    isValid: (candidate) => validator.validate(event, candidate).length === 0,
    stillFails: async (candidate) => {
      const request = signedRequest(candidate as Record<string, unknown>, options, { keepOutOfHistory: true });
      const outcome = await send(request);
      if (!sameFailure(outcome, first.outcome)) return false;
      smallest = { envelope: candidate as Record<string, unknown>, body: request.body, outcome };
      return true;
    },
    deadline: performance.now() + options.budgetMs,
    maxTries: MAX_SHRINK_TRIES,
    stopped: options.stopped,
  });
  const summary = { steps: shrunk.steps, tries: shrunk.tries, cut: shrunk.cut };
  if (smallest === first || options.stopped?.()) return { failure: smallest, ...summary, confirmed: true };
  const request = signedRequest(smallest.envelope, options);
  const outcome = await send(request);
  return sameFailure(outcome, first.outcome)
    ? { failure: { envelope: smallest.envelope, body: request.body, outcome }, ...summary, confirmed: true }
    : { failure: first, ...summary, confirmed: false };
}

function answered2xx(outcome: ExchangeOutcome): boolean {
  return outcome.status !== null && meetsExpectation('2xx', outcome.status);
}

/** The same failure: the same status, or for no answer the same way of failing (reset, timeout…). */
function sameFailure(outcome: ExchangeOutcome, first: ExchangeOutcome): boolean {
  if (answered2xx(outcome)) return false;
  return outcome.status === first.status && (outcome.status !== null || outcome.errorCode === first.errorCode);
}

function signedRequest(
  envelope: Record<string, unknown>,
  options: FuzzOptions,
  { keepOutOfHistory = false } = {},
): ProbeRequest {
  const event = envelope.event as string;
  const deliveryId = newDeliveryId();
  // Serialised once: these bytes are signed, sent, and saved if they fail.
  const body = Buffer.from(JSON.stringify(envelope), 'utf8');
  const headers = webhookHeaders({ event, deliveryId, body, secret: options.secret, userAgent: options.userAgent });
  return {
    label: 'fuzz payload',
    event,
    deliveryId,
    headers,
    body,
    valid: true,
    ...(keepOutOfHistory ? { keepOutOfHistory } : {}),
  };
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
