import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { eachKeypress } from '../../src/ui/tui/each-keypress.js';

const none = { upArrow: false, downArrow: false, return: false, escape: false, ctrl: false, meta: false } as Key;

function keys(input: string, key: Partial<Key> = {}) {
  const seen: string[] = [];
  eachKeypress(input, { ...none, ...key }, (i, k) => seen.push(k.return ? '⏎' : i));
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
    expect(keys('cc', { ctrl: true })).toEqual(['cc']);
    expect(keys('\u001b[A')).toEqual(['\u001b[A']);
  });
});
