import type { Key } from 'ink';

/**
 * Calls `handle` once per key. ink hands keys that arrive together (typed while the screen was
 * busy or the browser was loading, or pasted) to `useInput` as one string, which a handler
 * comparing `input === 'j'` would drop; plain text is split into its characters here.
 */
export function eachKeypress(input: string, key: Key, handle: (input: string, key: Key) => void): void {
  if (input.length <= 1 || key.ctrl || key.meta || input.includes('\u001b')) return handle(input, key);
  for (const char of input) {
    if (char === '\r' || char === '\n') handle('', { ...key, return: true });
    else handle(char, key);
  }
}
