/**
 * How values read on a terminal, in one place for the plain-line commands and the TUIs alike:
 * colours, columns, durations and clock times. Pure text in, text out; nothing here prints.
 * Colour is a tiny ANSI helper rather than a colour library on the hot path.
 */

export type Paint = (text: string) => string;

export interface Palette {
  green: Paint;
  red: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
  cyan: Paint;
}

const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Paint = (text) => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { green: plain, red: plain, yellow: plain, dim: plain, bold: plain, cyan: plain };
  return {
    green: ansi(32, 39),
    red: ansi(31, 39),
    yellow: ansi(33, 39),
    dim: ansi(2, 22),
    bold: ansi(1, 22),
    cyan: ansi(36, 39),
  };
}

/** Pads or cuts `text` to exactly `width` columns (ASCII width; good enough for table cells). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);
}

/**
 * `text` broken at spaces into lines of at most `width` columns, each after `indent` (a terminal
 * wraps mid-word); a word longer than the line stays whole on its own line.
 */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const room = Math.max(10, width - indent.length);
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/ +/)) {
    if (current && current.length + 1 + word.length > room) {
      lines.push(indent + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current || lines.length === 0) lines.push(indent + current);
  return lines;
}

/** A plain-text table for terminals and pipes: a header line and aligned columns. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A limit as a person says it: `10 s`, `0.3 s`, `600 ms` (seconds from one second up). */
export function formatLimit(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

let cachedSecond = -1;
let cachedTime = '';

/** `HH:MM:SS` in local time, as a terminal clock shows it; formatted once per second, as thousands of lines may share it. */
export function clockTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTime = new Date(ms).toTimeString().slice(0, 8);
  }
  return cachedTime;
}
