/**
 * The TUIs' `r`: re-sends a delivery with the secret the command resolved, records the new
 * delivery where the caller keeps them, and answers with the one line the TUI shows. The TUI
 * gets this function and never reads settings or writes a store itself.
 */
import { formatDuration } from '../format/display.js';
import { redactUrl } from '../core/redact.js';
import { deliveryLabel, type DeliveryRecord } from '../store/delivery-record.js';
import { USER_AGENT } from '../version.cjs';
import { replayDelivery } from './replay-service.js';

/** Re-sends a delivery; resolves with a one-line result to show. */
export type ReplayAction = (original: DeliveryRecord) => Promise<string>;

export interface ReplayActionOptions {
  /** The secret to sign with; without one the action explains how to give one. */
  secret: string | undefined;
  /** How to give a secret, for that explanation. */
  noSecretHint: string;
  /** Keeps the new delivery (the history store, or the listener's recorder). */
  record: (sent: DeliveryRecord) => void;
  /** Name the target in the result: the history replays anywhere, the live view only to itself. */
  showTarget?: boolean;
  timeoutMs?: number;
}

export function replayAction({ secret, noSecretHint, record, showTarget = false, timeoutMs = 10_000 }: ReplayActionOptions): ReplayAction {
  return async (original) => {
    if (!secret) return `cannot replay: no secret to sign with (${noSecretHint})`;
    const outcome = await replayDelivery(original, { secret, timeoutMs, userAgent: USER_AGENT });
    record(outcome.record);
    const answer = outcome.result.status ?? outcome.result.error;
    const target = showTarget ? ` to ${redactUrl(outcome.record.url)}` : '';
    return `${outcome.ok ? '✓' : '✗'} replayed ${deliveryLabel(original)} as ${outcome.record.deliveryId}${target} → ${answer} in ${formatDuration(outcome.record.durationMs)}`;
  };
}

/** The live view's `r`: re-sends to the listener itself, signed with its first secret, recorded as sent by it. */
export function replayThroughListener(listener: { readonly secrets: readonly string[]; recordSent(sent: DeliveryRecord): void }): ReplayAction {
  return replayAction({ secret: listener.secrets[0], noSecretHint: 'restart listen with --secret', record: (sent) => listener.recordSent(sent) });
}
