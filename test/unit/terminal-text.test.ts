/** Received text shown on a terminal: control characters escaped, other text untouched. */
import { describe, expect, it } from 'vitest';
import { printable, printableLines } from '../../src/format/terminal-text.js';

describe('printable', () => {
  it('escapes ESC, BEL, CR, C1 controls and line separators, and keeps other text as it is', () => {
    expect(printable('dlv_1\u001b]0;pwned\u0007')).toBe('dlv_1\\u001b]0;pwned\\u0007');
    expect(printable('a\rb\nc')).toBe('a\\rb\\nc');
    expect(printable('\u009b31m')).toBe('\\u009b31m');
    expect(printable('x\u2028y')).toBe('x\\u2028y');
    expect(printable('Chemise été — 89,90 € 👗')).toBe('Chemise été — 89,90 € 👗');
  });

  it('is stable across calls (the global pattern keeps no state between texts)', () => {
    expect(printable('\u001b')).toBe('\\u001b');
    expect(printable('\u001b')).toBe('\\u001b');
    expect(printable('plain')).toBe('plain');
  });
});

describe('printableLines', () => {
  it('keeps line breaks and tabs, escapes the rest', () => {
    expect(printableLines('{\n\t"a": "\u001b[2J"\r\n}')).toBe('{\n\t"a": "\\u001b[2J"\\r\n}');
  });
});
