/** Helpers for ink-testing-library: type like a person, and wait for a frame instead of sleeping blindly. */

interface TestUi {
  stdin: { write: (data: string) => void };
  lastFrame: () => string | undefined;
}

export const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

/** Types keys (or pasted chunks) one at a time, letting the app render between them. */
export async function type(ui: TestUi, keys: string | string[]) {
  for (const key of keys) {
    ui.stdin.write(key);
    await tick(40);
  }
}

/**
 * The first frame that matches within `timeoutMs` (renders are throttled and the machine may be
 * busy), or the last frame seen, for the assertion that follows to report.
 */
export async function frameMatching(ui: TestUi, expected: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = ui.lastFrame() ?? '';
    if (typeof expected === 'string' ? frame.includes(expected) : expected.test(frame)) return frame;
    if (Date.now() > deadline) return frame;
    await tick(20);
  }
}

/** Gives an ink-testing-library render (always 100 columns) a terminal size, as a resize would. */
export function resizeTo(ui: { stdout: NodeJS.EventEmitter }, columns: number, rows: number): void {
  Object.defineProperty(ui.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(ui.stdout, 'rows', { value: rows, configurable: true });
  ui.stdout.emit('resize');
}
