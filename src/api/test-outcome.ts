/**
 * What became of a test delivery. Hosted APIs commonly answer `POST …/test` with 202 and
 * `{"delivery_id", "status": "queued"}` before anything was sent; the outcome then appears in the
 * webhook's deliveries. This polls them for that delivery id until an attempt has finished or
 * the wait is over. `outcomeOf` is the pure part: which listed row, if any, says how it went.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { unwrapList, unwrapObject } from './api-types.js';
import type { PlatformClient } from './platform-client.js';

type Json = Record<string, unknown>;

/** `succeeded`, or `failed` (also `retrying`: the attempt failed and the API will try again), or still `unfinished`. */
export type TestState = 'succeeded' | 'failed' | 'unfinished';

export interface TestOutcome {
  state: TestState;
  deliveryId: string | undefined;
  /** The finished attempt as the API described it (snake_case, as the emulator's answer carries it). */
  attempt: Json | null;
  /** The last status the API gave while unfinished (`queued`, `pending`, …). */
  lastStatus: string | undefined;
}

const FINISHED: Record<string, TestState> = {
  succeeded: 'succeeded',
  success: 'succeeded',
  delivered: 'succeeded',
  failed: 'failed',
  failure: 'failed',
  retrying: 'failed',
};

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function stateOf(status: unknown): TestState {
  return FINISHED[String(status ?? '').toLowerCase()] ?? 'unfinished';
}

/** The outcome the test answer itself carries (our emulator waits for the first attempt). */
export function outcomeOfAnswer(answer: Json): TestOutcome {
  const attempt = typeof answer.attempt === 'object' && answer.attempt !== null ? (answer.attempt as Json) : null;
  const deliveryId = str(answer.delivery_id ?? answer.deliveryId ?? answer.id);
  const state = attempt ? stateOf(attempt.status) : stateOf(answer.status);
  return {
    state,
    deliveryId,
    attempt: state === 'unfinished' ? null : (attempt ?? answer),
    lastStatus: str(answer.status),
  };
}

/** The outcome among listed delivery rows: rows whose `id` or `delivery_id` is the delivery; a finished one wins. */
export function outcomeOf(rows: readonly Json[], deliveryId: string): TestOutcome {
  const mine = rows.filter(
    (r) => str(r.delivery_id) === deliveryId || str(r.deliveryId) === deliveryId || str(r.id) === deliveryId,
  );
  const finished =
    mine.find((r) => stateOf(r.status) === 'succeeded') ?? mine.find((r) => stateOf(r.status) === 'failed');
  if (finished)
    return { state: stateOf(finished.status), deliveryId, attempt: finished, lastStatus: str(finished.status) };
  return { state: 'unfinished', deliveryId, attempt: null, lastStatus: str(mine[0]?.status) };
}

export interface WaitOptions {
  waitMs: number;
  pollMs?: number;
  /** Called before each poll with the time waited so far (the spinner). */
  onPoll?: (waitedMs: number) => void;
}

/** Polls the webhook's deliveries until `deliveryId` has a finished attempt or `waitMs` has passed. */
export async function waitForTestOutcome(
  api: PlatformClient,
  webhookId: string,
  first: TestOutcome,
  { waitMs, pollMs = 500, onPoll }: WaitOptions,
): Promise<TestOutcome> {
  if (first.state !== 'unfinished' || first.deliveryId === undefined) return first;
  const started = Date.now();
  let outcome = first;
  for (;;) {
    const waited = Date.now() - started;
    if (waited >= waitMs) return outcome;
    await sleep(Math.min(pollMs, waitMs - waited));
    onPoll?.(Date.now() - started);
    const { raw } = await api.listDeliveries(webhookId, { limit: 100 });
    const next = outcomeOf(unwrapList(raw, 'deliveries'), first.deliveryId);
    outcome = { ...next, lastStatus: next.lastStatus ?? outcome.lastStatus };
    if (outcome.state !== 'unfinished') return outcome;
  }
}

export interface TestRun {
  /** The answer to show with --json: the API's, with the finished attempt once it was waited for. */
  raw: unknown;
  outcome: TestOutcome;
}

/**
 * `POST …/test`, then (unless `waitMs` is false, or the answer already says how it went) waits
 * for its outcome in the deliveries. `whileWaiting` runs around the wait (the spinner) and
 * returns how to end it.
 */
export async function runTestDelivery(
  api: PlatformClient,
  webhookId: string,
  event: string,
  { waitMs, whileWaiting }: { waitMs: number | false; whileWaiting?: (deliveryId: string | undefined) => () => void },
): Promise<TestRun> {
  const answer = await api.testWebhook(webhookId, event);
  const first = outcomeOfAnswer(answer.value);
  if (waitMs === false || first.state !== 'unfinished') return { raw: answer.raw, outcome: first };
  const stopWaiting = whileWaiting?.(first.deliveryId);
  try {
    const outcome = await waitForTestOutcome(api, webhookId, first, { waitMs });
    return {
      raw:
        outcome === first
          ? answer.raw
          : { ...unwrapObject(answer.raw), status: outcome.lastStatus ?? outcome.state, attempt: outcome.attempt },
      outcome,
    };
  } finally {
    stopWaiting?.();
  }
}
