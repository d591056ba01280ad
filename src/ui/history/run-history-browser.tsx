/** Mounts the history browser on the terminal; resolves when the user quits. */
import { render } from 'ink';
import { formatDuration } from '../../format/display.js';
import { resolveSetting } from '../../config/settings.js';
import { redactUrl } from '../../core/redact.js';
import { replayDelivery } from '../../delivery/replay-service.js';
import type { DeliveryRecord, DeliverySummary } from '../../store/delivery-record.js';
import type { HistoryStore } from '../../store/history-store.js';
import { USER_AGENT } from '../../version.cjs';
import { HistoryBrowser } from './HistoryBrowser.js';

export async function runHistoryBrowser(store: HistoryStore, initialQuery: string, initialRows?: DeliverySummary[]): Promise<void> {
  const replay = async (original: DeliveryRecord): Promise<string> => {
    const secret = resolveSetting('secret', undefined);
    if (!secret) return 'cannot replay: no secret to sign with (set WEBHOOKS_SECRET or run `webhooks-cli config set secret …`)';
    const outcome = await replayDelivery(original, { secret, timeoutMs: 10_000, userAgent: USER_AGENT });
    store.insert(outcome.record);
    const answer = outcome.result.status ?? outcome.result.error;
    return `${outcome.ok ? '✓' : '✗'} replayed ${original.deliveryId ?? `#${original.id}`} as ${outcome.record.deliveryId} to ${redactUrl(outcome.record.url)} → ${answer} in ${formatDuration(outcome.record.durationMs)}`;
  };
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // Clear the plain first frame in the same tick as ink's first render, so nothing flickers.
  if (initialRows) process.stdout.write('\u001b[H\u001b[2J');
  const app = render(<HistoryBrowser source={store} initialQuery={initialQuery} replay={replay} onQuit={() => quit()} initialRows={initialRows} />, { exitOnCtrlC: false, patchConsole: false });
  await quitting;
  app.unmount();
  await app.waitUntilExit().catch(() => {});
}
