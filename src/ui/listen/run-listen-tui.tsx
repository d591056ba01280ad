/**
 * Mounts the live view of `listen` on the terminal; resolves when the user quits or a signal
 * stops it. `onReady` is called once the view lists what arrives (its effects run after the
 * first paint), so a caller that sends requests itself (`demo`) waits for it, not for a guess.
 */
import { render } from 'ink';
import { formatDuration } from '../../format/display.js';
import { replayDelivery } from '../../delivery/replay-service.js';
import type { Listener } from '../../receiver/index.js';
import type { DeliveryRecord } from '../../store/delivery-record.js';
import { USER_AGENT } from '../../version.cjs';
import { ListenApp } from './ListenApp.js';

export async function runListenTui(listener: Listener, options: { verify: boolean; stopped: Promise<unknown>; onReady?: () => void }): Promise<void> {
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // Ctrl-C arrives as a key in raw mode; the app turns it into a quit like `q`.
  const app = render(<ListenApp listener={listener} verify={options.verify} replay={replayThrough(listener)} onQuit={() => quit()} onReady={options.onReady} />, { exitOnCtrlC: false, patchConsole: false });
  await Promise.race([quitting, options.stopped]);
  app.unmount();
  await app.waitUntilExit().catch(() => {});
}

/** The TUI's `r`: re-sends a received request to where it went (this listener), signed with its first secret. */
export function replayThrough(listener: Pick<Listener, 'secrets' | 'recordSent'>) {
  return async (record: DeliveryRecord): Promise<string> => {
    const secret = listener.secrets[0];
    if (!secret) return 'cannot replay: no secret to sign with (restart listen with --secret)';
    const outcome = await replayDelivery(record, { secret, timeoutMs: 10_000, userAgent: USER_AGENT });
    listener.recordSent(outcome.record);
    const answer = outcome.result.status ?? outcome.result.error;
    return `${outcome.ok ? '✓' : '✗'} replayed ${record.deliveryId ?? 'request'} as ${outcome.record.deliveryId} → ${answer} in ${formatDuration(outcome.record.durationMs)}`;
  };
}
