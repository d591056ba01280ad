/** Mounts the history browser on the terminal; resolves when the user quits. */
import { render } from 'ink';
import type { ReplayAction } from '../../delivery/replay-action.js';
import type { DeliverySummary } from '../../store/delivery-record.js';
import { type TerminalStreams, terminalStreams } from '../tui/terminal-streams.js';
import { HistoryBrowser, type HistorySource } from './HistoryBrowser.js';

export interface HistoryBrowserOptions {
  initialQuery: string;
  /** The first page, already drawn as plain text. */
  initialRows?: DeliverySummary[];
  replay: ReplayAction;
  /** Where to draw and read keys (the command's streams). */
  terminal: TerminalStreams;
}

export async function runHistoryBrowser(
  source: HistorySource,
  { initialQuery, initialRows, replay, terminal }: HistoryBrowserOptions,
): Promise<void> {
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // Clear the plain first frame in the same tick as ink's first render, so nothing flickers.
  if (initialRows) terminal.stdout.write('\u001b[H\u001b[2J');
  const app = render(
    <HistoryBrowser
      source={source}
      initialQuery={initialQuery}
      replay={replay}
      onQuit={() => quit()}
      initialRows={initialRows}
    />,
    { ...terminalStreams(terminal), exitOnCtrlC: false, patchConsole: false },
  );
  await quitting;
  app.unmount();
  await app.waitUntilExit().catch(() => {});
}
