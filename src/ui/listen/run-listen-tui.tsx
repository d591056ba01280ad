/**
 * Mounts the live view of `listen` on the terminal; resolves when the user quits or a signal
 * stops it. `onReady` is called once the view lists what arrives (its effects run after the
 * first paint), so a caller that sends requests itself (`demo`) waits for it, not for a guess.
 */
import { render } from 'ink';
import type { ReplayAction } from '../../delivery/replay-action.js';
import type { Listener } from '../../receiver/index.js';
import type { TerminalHandOver } from '../tui/terminal-hand-over.js';
import { terminalStreams } from '../tui/terminal-streams.js';
import { TerminalHandOverContext } from '../tui/use-terminal-hand-over.js';
import { ListenApp } from './ListenApp.js';

export interface ListenTuiOptions {
  verify: boolean;
  stopped: Promise<unknown>;
  replay: ReplayAction;
  /** Where to draw and read keys (the command's streams), lent to the editor for `e`. */
  terminal: TerminalHandOver;
  /** Called once the view lists every request that arrives from then on. */
  onReady?: () => void;
}

export async function runListenTui(
  listener: Listener,
  { verify, stopped, replay, terminal, onReady }: ListenTuiOptions,
): Promise<void> {
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // Ctrl-C arrives as a key in raw mode; the app turns it into a quit like `q`.
  const app = render(
    <TerminalHandOverContext.Provider value={terminal}>
      <ListenApp listener={listener} verify={verify} replay={replay} onQuit={() => quit()} onReady={onReady} />
    </TerminalHandOverContext.Provider>,
    { ...terminalStreams(terminal), exitOnCtrlC: false, patchConsole: false },
  );
  await Promise.race([quitting, stopped]);
  app.unmount();
  await app.waitUntilExit().catch(() => {});
}
