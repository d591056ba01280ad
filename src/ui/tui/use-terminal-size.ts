import { useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { CLEAR_SCREEN } from './terminal-hand-over.js';

/**
 * The terminal's columns and rows, updated on resize (fallbacks for streams that are not terminals).
 * After a resize the whole screen is cleared and the frame drawn again: the terminal re-wraps what
 * was drawn for the old width, so erasing the old frame line by line would leave pieces of it.
 */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout, write } = useStdout();
  const read = () => ({ columns: stdout.columns || 100, rows: stdout.rows || 30 });
  const [size, setSize] = useState(read);
  // biome-ignore lint/correctness/useExhaustiveDependencies: one resize subscription per stream; `read` only reads that stream
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);
  const drawn = useRef(size);
  useEffect(() => {
    if (drawn.current.columns === size.columns && drawn.current.rows === size.rows) return;
    drawn.current = size;
    // ink's own write: it draws the newest frame in full after this text.
    if (stdout.isTTY) write(CLEAR_SCREEN);
  }, [size, stdout, write]);
  return size;
}
