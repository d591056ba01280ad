/**
 * Lends the terminal of a running TUI to another program (the user's editor, for `e`) and takes
 * it back. While it is lent the TUI neither reads keys nor draws: every `useInput` goes inactive,
 * so ink leaves raw mode and drops its stdin listener; stdin is paused, which makes the process
 * stop reading the terminal (a paused `process.stdin` with no listener stops its read), so every
 * key reaches the editor; and ink's frames are held back. The app itself keeps running: `listen`
 * goes on answering and recording, and its list keeps growing out of sight. Afterwards raw mode and
 * the stdin listener come back with the keys, and the whole frame is drawn again on a clear screen.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TerminalStreams } from './terminal-streams.js';

/** How long to wait for ink to let go of stdin before starting the editor anyway. */
const RELEASE_WAIT_MS = 2_000;

type Input = NodeJS.ReadableStream & { listenerCount(event: string): number };

export class TerminalHandOver implements TerminalStreams {
  /** What the TUI draws on: the terminal, except while it is lent. */
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  #lent = false;
  readonly #subscribers = new Set<() => void>();
  #redraw: (() => void) | undefined;

  constructor(terminal: TerminalStreams) {
    this.stdin = terminal.stdin;
    this.stderr = terminal.stderr;
    const real = terminal.stdout;
    const held = (...args: unknown[]) => {
      // A write callback must still be called, or ink would wait for it on unmount.
      const done = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    };
    // Everything else (columns, rows, isTTY, 'resize' listeners) is the terminal's own.
    this.stdout = new Proxy(real, {
      get: (target, key) => {
        if (key === 'write') return this.#lent ? held : target.write.bind(target);
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  isLent = (): boolean => this.#lent;

  /** For `useSyncExternalStore`: called when the terminal is lent or given back. */
  subscribe = (listener: () => void): (() => void) => {
    this.#subscribers.add(listener);
    return () => this.#subscribers.delete(listener);
  };

  /** How the TUI draws its whole frame again (given by the mounted view). */
  setRedraw(redraw: (() => void) | undefined): void {
    this.#redraw = redraw;
  }

  /** Runs `work` (an editor) with the terminal to itself; resolves or rejects as `work` does. */
  async lend<T>(work: () => Promise<T>): Promise<T> {
    if (this.#lent) throw new Error('the terminal is already lent');
    this.#set(true);
    const stdin = this.stdin as Input;
    const deadline = Date.now() + RELEASE_WAIT_MS;
    while (stdin.listenerCount('readable') + stdin.listenerCount('data') > 0 && Date.now() < deadline) await nextTurn();
    // Node marks the stream no longer flowing a tick after its last listener goes; pause after that.
    await nextTurn();
    stdin.pause();
    await nextTurn();
    try {
      return await work();
    } finally {
      this.#set(false);
      this.#redraw?.();
    }
  }

  #set(lent: boolean): void {
    this.#lent = lent;
    for (const listener of [...this.#subscribers]) listener();
  }
}

/** Hides the cursor, clears the screen and goes home: an editor may have left anything there. */
export const CLEAR_SCREEN = '\u001b[?25l\u001b[2J\u001b[H';
