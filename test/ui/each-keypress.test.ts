import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { eachKeypress } from '../../src/ui/tui/each-keypress.js';

const none = { upArrow: false, downArrow: false, return: false, escape: false, ctrl: false, meta: false } as Key;

function keys(input: string, key: Partial<Key> = {}) {
  const seen: string[] = [];
  eachKeypress(input, { ...none, ...key }, (i, k) => seen.push(k.return ? '⏎' : k.ctrl ? `^${i}` : k.delete ? '⌫' : i));
  return seen;
}

describe('eachKeypress', () => {
  it('splits keys that arrived together', () => {
    expect(keys('jj')).toEqual(['j', 'j']);
    expect(keys('j\r')).toEqual(['j', '⏎']);
    expect(keys('status:500')).toHaveLength(10);
  });

  it('leaves single keys, control keys and escape sequences whole', () => {
    expect(keys('q')).toEqual(['q']);
    expect(keys('', { return: true })).toEqual(['⏎']);
    expect(keys('cc', { ctrl: true })).toEqual(['^cc']);
    expect(keys('\u001b[A')).toEqual(['\u001b[A']);
  });

  it('turns a control character in a chunk into its key, not a character of the text', () => {
    // Ctrl-U typed just before `catalog` reaches ink as one chunk.
    expect(keys('\u0015catalog')).toEqual(['^u', 'c', 'a', 't', 'a', 'l', 'o', 'g']);
    expect(keys('ab\u007f\u0017x')).toEqual(['a', 'b', '⌫', '^w', 'x']);
  });
});
