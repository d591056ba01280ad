/**
 * Text from outside (a sender's headers, an unauthenticated body's `event`, an app's answer) made
 * safe to show on a terminal: every control character is replaced by a visible escape, so ESC,
 * BEL, CR and the C1 controls cannot move the cursor, rewrite a line or set the window title.
 * Every human-readable output that shows received text passes it through `printable`.
 */

// C0 controls, DEL and C1 controls (U+0080–U+009F); Unicode line and paragraph separators too,
// which some terminals treat as line breaks.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above; without /g, so `test` keeps no state
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(char: string): string {
  return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with each control character shown as an escape (`\u001b`, `\r`); other text unchanged. */
export function printable(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, escapeControl) : text;
}

/** Like `printable`, but keeps line breaks and tabs: for multi-line text such as a pretty body. */
export function printableLines(text: string): string {
  return text.replace(CONTROL, (char) => (char === '\n' || char === '\t' ? char : escapeControl(char)));
}

// What JSON.stringify leaves raw inside strings though a terminal obeys it: DEL and the C1 controls
// (U+009B is CSI), and the line and paragraph separators.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * `JSON.stringify`, with the control characters it leaves raw written as `\u` escapes: the same
 * JSON to any parser, and nothing a terminal would obey when `--json` output lands on one.
 */
export function printableJson(value: unknown, space?: number): string {
  return String(JSON.stringify(value, null, space)).replace(RAW_IN_JSON, escapeControl);
}
