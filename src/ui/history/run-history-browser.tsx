/**
 * Mounts the history browser on the terminal; resolves when the user quits and every replay
 * started from it has been recorded, so the caller may close the store then.
 */
import { render } from 'ink';
import type { ReplayAction } from '../../delivery/replay-action.js';
import type { DeliverySummary } from '../../store/delivery-record.js';
import type { TerminalHandOver } from '../tui/terminal-hand-over.js';
import { terminalStreams } from '../tui/terminal-streams.js';
import { TerminalHandOverContext } from '../tui/use-terminal-hand-over.js';
import { HistoryBrowser, type HistorySource } from './HistoryBrowser.js';

export interface HistoryBrowserOptions {
  initialQuery: string;
  /** The first page, already drawn as plain text. */
  initialRows?: DeliverySummary[];
  /** `--limit`: the browser lists no more rows than this. */
  limit?: number;
  replay: ReplayAction;
  /** Where to draw and read keys (the command's streams), lent to the editor for `e`. */
  terminal: TerminalHandOver;
}

export async function runHistoryBrowser(
  source: HistorySource,
  { initialQuery, initialRows, limit, replay, terminal }: HistoryBrowserOptions,
): Promise<void> {
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // Clear the plain first frame in the same tick as ink's first render, so nothing flickers.
  if (initialRows) terminal.stdout.write('\u001b[H\u001b[2J');
  const inFlight = new Set<Promise<string>>();
  const tracked: ReplayAction = (original, options) => {
    const replaying = replay(original, options);
    inFlight.add(replaying);
    void replaying.finally(() => inFlight.delete(replaying)).catch(() => {});
    return replaying;
  };
  const app = render(
    <TerminalHandOverContext.Provider value={terminal}>
      <HistoryBrowser
        source={source}
        initialQuery={initialQuery}
        replay={tracked}
        onQuit={() => quit()}
        initialRows={initialRows}
        limit={limit}
      />
    </TerminalHandOverContext.Provider>,
    { ...terminalStreams(terminal), exitOnCtrlC: false, patchConsole: false },
  );
  await quitting;
  app.unmount();
  await app.waitUntilExit().catch(() => {});
  await Promise.allSettled(inFlight);
}
