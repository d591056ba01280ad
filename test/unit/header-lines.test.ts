/** The editor's headers: `Name: value` lines and back. */
import { describe, expect, it } from 'vitest';
import { headersToLines, linesToHeaders } from '../../src/inspector-page/header-lines.js';

describe('header lines', () => {
  it('reads lines back as lower-case names, joins a repeated one, skips blank lines and names a bad one', () => {
    expect(headersToLines({ 'x-a': '1', 'user-agent': 'ua: 2' })).toBe('x-a: 1\nuser-agent: ua: 2');
    expect(linesToHeaders('X-A: 1\n\nUser-Agent:  ua: 2 \nx-a: 3')).toEqual({
      headers: { 'x-a': '1, 3', 'user-agent': 'ua: 2' },
      problems: [],
    });
    expect(linesToHeaders('no colon here\nbad name: x').problems).toEqual([
      'header line 1: write it as "Name: value"',
      'header line 2: write it as "Name: value"',
    ]);
  });
});
