/** Received text shown on a terminal: control characters escaped, other text untouched. */
import { describe, expect, it } from 'vitest';
import { printable, printableJson, printableLines } from '../../src/format/terminal-text.js';

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

describe('printableJson', () => {
  it('writes the controls JSON.stringify leaves raw (DEL, C1, U+2028) as escapes: the same JSON, nothing a terminal obeys', () => {
    const value = { id: 'dlv_\u009b2J\u001b]0;x\u0007', note: 'a\u2028b\u007f', price: 1.5, name: 'Chemise été 👗' };
    const text = printableJson(value);
    expect(text).toBe(
      '{"id":"dlv_\\u009b2J\\u001b]0;x\\u0007","note":"a\\u2028b\\u007f","price":1.5,"name":"Chemise été 👗"}',
    );
    expect(JSON.parse(text)).toEqual(value);
    expect(printableJson({ a: [1] }, 2)).toBe('{\n  "a": [\n    1\n  ]\n}');
  });
});
