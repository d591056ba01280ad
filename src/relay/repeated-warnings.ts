/**
 * Warnings that whoever is on the other side can repeat at will (a listener's malformed frames, a
 * stranger's refused requests and connections) in the relay's log: the first of a kind in a window
 * is logged, the rest are counted, and when the window ends one line says how many were left out.
 * A flood of bad input cannot become a flood of log lines. Kinds are bounded too, since they name
 * channels a stranger chooses: past `maxKinds` at once, the rest share one window.
 */
import type { RelayLogger } from './relay-options.js';

interface Window {
  level: 'info' | 'warn';
  message: string;
  fields: Record<string, unknown> | undefined;
  suppressed: number;
  timer: NodeJS.Timeout;
}

const OTHER_KINDS = '\0others';

export class RepeatedWarnings {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly log: RelayLogger,
    private readonly windowMs = 10_000,
    private readonly maxKinds = 100,
  ) {}

  /** Logs `message` unless one of the same `kind` was logged less than a window ago; then counts it. */
  note(kind: string, level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): void {
    const key = this.#windows.has(kind) || this.#windows.size < this.maxKinds ? kind : OTHER_KINDS;
    const open = this.#windows.get(key);
    if (open) {
      open.suppressed += 1;
      return;
    }
    this.log(level, message, fields);
    const timer = setTimeout(() => this.#end(key), this.windowMs);
    timer.unref();
    this.#windows.set(key, { level, message, fields, suppressed: 0, timer });
  }

  /** Ends every window now, saying what each left out (when the relay stops). */
  flush(): void {
    for (const key of [...this.#windows.keys()]) this.#end(key);
  }

  #end(key: string): void {
    const window = this.#windows.get(key);
    if (!window) return;
    clearTimeout(window.timer);
    this.#windows.delete(key);
    if (window.suppressed === 0) return;
    const span = `in the last ${this.windowMs / 1000} s`;
    const summary =
      key === OTHER_KINDS
        ? `${window.suppressed} more warnings of other kinds ${span} not logged (too many kinds at once)`
        : `${window.suppressed} more of this kind ${span} not logged: ${window.message}`;
    this.log(window.level, summary, { ...window.fields, suppressed: window.suppressed });
  }
}
