/**
 * The TUIs' `r` and `e`: re-sends (`e`: after editing the body) a delivery with the secret the command resolved, records the new
 * delivery where the caller keeps them, and answers with the one line the TUI shows. The TUI
 * gets this function and never reads settings or writes a store itself.
 */

import { redactUrl } from '../core/redact.js';
import { UserError } from '../errors.js';
import { formatDuration } from '../format/display.js';
import { printable } from '../format/terminal-text.js';
import { type DeliveryRecord, deliveryLabel } from '../store/delivery-record.js';
import { USER_AGENT } from '../version.js';
import { editBody } from './replay-edit.js';
import { type ReplayOutcome, replayDelivery } from './replay-service.js';

/**
 * Re-sends a delivery (`edit`: first edited in the user's editor, the TUI's `e`); resolves with a
 * one-line result to show. `onSent` sees the new delivery as sent (the live view marks its copy ↻).
 */
export type ReplayAction = (
  original: DeliveryRecord,
  options?: { edit?: boolean; onSent?: (sent: DeliveryRecord) => void },
) => Promise<string>;

/** What `e` needs: the environment naming the editor, and a way to hand it the terminal. */
export interface EditorAccess {
  env: NodeJS.ProcessEnv;
  /** Runs the editor with the terminal to itself: the TUI reads no keys and draws nothing meanwhile. */
  lend: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface ReplayActionOptions {
  /** The secret to sign with; without one the action explains how to give one. */
  secret: string | undefined;
  /** How to give a secret, for that explanation. */
  noSecretHint: string;
  /** Keeps the new delivery (the history store, or the listener's recorder). */
  record: (sent: DeliveryRecord) => void;
  /** The run's environment, whose proxy settings route a replay (the live view's, to itself, goes direct). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Lets `e` edit the body first; without it `e` explains it is not available. */
  editor?: EditorAccess;
}

/** The action; its result line is `printable` (it may quote an answer or the recorded delivery id). */
export function replayAction({
  secret,
  noSecretHint,
  record,
  timeoutMs = 10_000,
  editor,
  env,
}: ReplayActionOptions): ReplayAction {
  const act: ReplayAction = async (original, { edit = false, onSent } = {}) => {
    if (!secret) return `cannot replay: no secret to sign with (${noSecretHint})`;
    if (edit && !editor) return 'editing is not available here';
    let body: Buffer | undefined;
    if (edit) {
      try {
        body = await editor!.lend(() =>
          editBody(original.requestBody, {
            env: editor!.env,
            interactive: true,
            label: deliveryLabel(original),
            warn: () => {},
          }),
        );
      } catch (err) {
        return `✗ ${(err as Error).message}`;
      }
    }
    let outcome: ReplayOutcome;
    try {
      outcome = await replayDelivery(original, { secret, timeoutMs, userAgent: USER_AGENT, body, env });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // Worded as the browsers word any replay that did not happen: the why fits the result line.
      return `replay failed: ${err.message}${err.hint ? ` — ${err.hint}` : ''}`;
    }
    record(outcome.record);
    onSent?.(outcome.record);
    const answer = outcome.result.status ?? outcome.result.error;
    // Always named: the result says where the developer's signature went.
    return `${outcome.ok ? '✓' : '✗'} replayed ${edit ? 'an edited ' : ''}${deliveryLabel(original)} as ${outcome.record.deliveryId} to ${redactUrl(outcome.record.url)} → ${answer} in ${formatDuration(outcome.record.durationMs)}`;
  };
  return async (original, options) => printable(await act(original, options));
}

/** The live view's `r`: re-sends to the listener itself, signed with its first secret, recorded as sent by it. */
export function replayThroughListener(
  listener: { readonly secrets: readonly string[]; recordSent(sent: DeliveryRecord): void },
  editor?: EditorAccess,
): ReplayAction {
  return replayAction({
    secret: listener.secrets[0],
    noSecretHint: 'restart listen with --secret',
    record: (sent) => listener.recordSent(sent),
    editor,
  });
}
