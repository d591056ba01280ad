import type { Key } from 'ink';

/** Control characters a key chunk may carry, as the key ink reports for each when it comes alone. */
const CONTROL_KEYS: Record<string, [string, Partial<Key>]> = {
  '\r': ['', { return: true }],
  '\n': ['', { return: true }],
  '\t': ['', { tab: true }],
  '\u007f': ['', { delete: true }],
  '\b': ['', { backspace: true }],
};

/**
 * Calls `handle` once per key. ink hands keys that arrive together (typed while the screen was
 * busy or the browser was loading, or pasted) to `useInput` as one string, which a handler
 * comparing `input === 'j'` would drop; the chunk is split into its characters here. A control
 * character in the chunk (Ctrl-U typed just before `catalog` arrives as "\x15catalog") becomes the
 * key it stands for, rather than a character of the text.
 */
export function eachKeypress(input: string, key: Key, handle: (input: string, key: Key) => void): void {
  if (input.length <= 1 || key.ctrl || key.meta || input.includes('\u001b')) return handle(input, key);
  for (const char of input) {
    const control = CONTROL_KEYS[char];
    const code = char.charCodeAt(0);
    if (control) handle(control[0], { ...key, ...control[1] });
    else if (code < 0x20) handle(String.fromCharCode(code + 0x60), { ...key, ctrl: true });
    else handle(char, key);
  }
}
