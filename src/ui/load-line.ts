/**
 * The live line of a load run on a terminal's stderr: elapsed time, the rate of the last second,
 * requests in flight, p50/p99 of the last second's answers and the failures so far by cause,
 * redrawn in place and never wider than 79 columns, so it does not wrap on an 80-column terminal.
 */
import type { LiveFigures } from '../delivery/load-stats.js';
import { formatDuration } from '../format/display.js';

const WIDTH = 79;

export function liveLine(f: LiveFigures): string {
  const latency = f.p50 === null ? 'p50 -  p99 -' : `p50 ${formatDuration(f.p50)}  p99 ${formatDuration(f.p99)}`;
  const head = `${Math.floor(f.elapsedMs / 1000)}s  ${f.ratePerSecond}/s  in flight ${f.inFlight}  ${latency}`;
  // As many causes as fit, the commonest first; "…" says some were left out.
  let line = head;
  for (const [i, [cause, n]] of f.errors.entries()) {
    const part = `${i === 0 ? '  err' : ''} ${cause}×${n}`;
    if (line.length + part.length > WIDTH - 2) return `${line} …`;
    line += part;
  }
  return line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line;
}

export class LiveLine {
  readonly #stream: { write(text: string): unknown };
  #drawn = false;

  constructor(stream: { write(text: string): unknown }) {
    this.#stream = stream;
  }

  draw(figures: LiveFigures): void {
    this.#drawn = true;
    // \r and erase-line: the line is redrawn where it stands.
    this.#stream.write(`\r${liveLine(figures)}\x1b[K`);
  }

  /** Removes the line, so the summary takes its place. */
  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
