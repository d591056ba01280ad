import { useStdout } from 'ink';
import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import { CLEAR_SCREEN, type TerminalHandOver } from './terminal-hand-over.js';

/** The hand-over of the terminal the view is drawn on (none in frame tests: never lent). */
export const TerminalHandOverContext = createContext<TerminalHandOver | undefined>(undefined);

const noSubscription = () => () => {};
const neverLent = () => false;

/**
 * Whether the terminal is lent to another program (the user's editor): the view then reads no
 * keys. Gives the hand-over the view's redraw: ink's own write, which clears what ink drew and
 * draws the newest frame in full, here after clearing whatever the editor left on the screen.
 */
export function useTerminalLent(): boolean {
  const handOver = useContext(TerminalHandOverContext);
  const { write } = useStdout();
  useEffect(() => {
    if (!handOver) return;
    handOver.setRedraw(() => write(CLEAR_SCREEN));
    return () => handOver.setRedraw(undefined);
  }, [handOver, write]);
  return useSyncExternalStore(handOver?.subscribe ?? noSubscription, handOver?.isLent ?? neverLent);
}
