/**
 * How values read on a terminal, in one place for the plain-line commands and the TUIs alike:
 * colours, durations and clock times (columns and tables are in columns.ts). Pure text in, text
 * out; nothing here prints. Colour is chalk at the level the command context decided, never
 * chalk's own guess from the process.
 */
import { Chalk, type ChalkInstance } from 'chalk';

/** The styles the tool paints with: `c.green(…)`, `c.dim(…)`, `c.bold(…)`. */
export type Palette = ChalkInstance;

// Only the 16 basic colours and bold/dim/inverse are used, which every colour terminal shows, so
// colour on is level 1 whatever the terminal supports beyond it.
const palettes = { on: new Chalk({ level: 1 }), off: new Chalk({ level: 0 }) };

/** The palette for a command's colour decision (`ctx.color`): with colour off, every style is plain text. */
export function palette(enabled: boolean): Palette {
  return enabled ? palettes.on : palettes.off;
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

/**
 * A span of time in its two largest units, as `held 3m12s` and `held for up to 3h12m` read:
 * `850ms`, `12s`, `3m12s`, `3h05m`, `72h` → `3d`, `2d4h`.
 */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const [m, h, d] = [Math.floor(s / 60), Math.floor(s / 3600), Math.floor(s / 86_400)];
  if (s < 3600) return `${m}m${pad(s % 60, 's')}`;
  if (s < 86_400) return `${h}h${pad(m % 60, 'm')}`;
  return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
}

/** The smaller unit, two digits, left out when zero (`3h`, not `3h00m`). */
const pad = (n: number, unit: string) => (n ? `${String(n).padStart(2, '0')}${unit}` : '');
