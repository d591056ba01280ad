/** A real terminal for TUI tests: a detached tmux session, its screen, and key presses. */

import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

export interface TmuxSession {
  name: string;
  /** Polls the screen until `expected` shows; returns the last screen either way. */
  screenShowing(expected: RegExp, timeoutMs?: number): Promise<string>;
  press(key: string): Promise<void>;
  /** Sends several keys in one write, as a fast typist's keys reach the program in one chunk. */
  pressAtOnce(keys: string[]): Promise<void>;
  /** Resizes the terminal, as a user dragging its window does. */
  resize(columns: number, rows: number): Promise<void>;
  /** Where the terminal's cursor is (0-based) and whether it is shown. */
  cursor(): Promise<{ x: number; y: number; shown: boolean }>;
  /** The pane's title, which a program sets with OSC 0 / OSC 2 (`ESC ] 2 ; title BEL`). */
  title(): Promise<string>;
  kill(): Promise<void>;
}

/** Runs `command` (a shell line) in a new session, 120×40 unless told. */
export async function startTmux(command: string, size: { columns?: number; rows?: number } = {}): Promise<TmuxSession> {
  const name = `webhooks-cli-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  await execa('tmux', [
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(size.columns ?? 120),
    '-y',
    String(size.rows ?? 40),
    command,
  ]);
  const screen = async () => (await execa('tmux', ['capture-pane', '-p', '-t', name], { reject: false })).stdout;
  return {
    name,
    async screenShowing(expected, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let text = '';
      while (Date.now() < deadline) {
        text = await screen();
        if (expected.test(text)) return text;
        await new Promise((r) => setTimeout(r, 100));
      }
      return text;
    },
    async press(key) {
      await execa('tmux', ['send-keys', '-t', name, key]);
      await new Promise((r) => setTimeout(r, 150));
    },
    async pressAtOnce(keys) {
      await execa('tmux', ['send-keys', '-t', name, ...keys]);
      await new Promise((r) => setTimeout(r, 150));
    },
    async resize(columns, rows) {
      await execa('tmux', ['resize-window', '-t', name, '-x', String(columns), '-y', String(rows)]);
    },
    async cursor() {
      const [x, y, shown] = (
        await execa('tmux', ['display-message', '-p', '-t', name, '#{cursor_x} #{cursor_y} #{cursor_flag}'])
      ).stdout
        .trim()
        .split(' ')
        .map(Number);
      return { x: x!, y: y!, shown: shown === 1 };
    },
    async title() {
      return (await execa('tmux', ['display-message', '-p', '-t', name, '#{pane_title}'])).stdout;
    },
    async kill() {
      await execa('tmux', ['kill-session', '-t', name], { reject: false });
    },
  };
}
