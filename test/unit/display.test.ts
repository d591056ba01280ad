/** Terminal text: colour as the context decides it, and columns counted as a terminal draws them. */
import chalk from 'chalk';
import { describe, expect, it } from 'vitest';
import { isColorWanted } from '../../src/cli/context.js';
import {
  fitColumns,
  formatTable,
  headColumns,
  padColumns,
  tailColumns,
  textWidth,
  wrapWords,
} from '../../src/format/columns.js';
import { palette } from '../../src/format/display.js';
import { terminalStreams } from '../../src/ui/tui/terminal-streams.js';

const ESC = '\u001b';

describe('the palette', () => {
  it('paints with ANSI colours when colour is on, whatever chalk guesses from this process', () => {
    const c = palette(true);
    expect(c.green('ok')).toBe(`${ESC}[32mok${ESC}[39m`);
    expect(c.red('✗')).toBe(`${ESC}[31m✗${ESC}[39m`);
    expect(c.dim('dlv_1')).toBe(`${ESC}[2mdlv_1${ESC}[22m`);
    expect(c.bold(c.red('both'))).toBe(`${ESC}[1m${ESC}[31mboth${ESC}[39m${ESC}[22m`);
    expect(c.inverse('row')).toBe(`${ESC}[7mrow${ESC}[27m`);
  });

  it('is plain text when colour is off', () => {
    const c = palette(false);
    for (const paint of [c.green, c.red, c.yellow, c.dim, c.bold, c.cyan, c.inverse])
      expect(paint('text')).toBe('text');
  });
});

describe('the colour decision', () => {
  it.each([
    ['a terminal', true, undefined, {}, true],
    ['a pipe', false, undefined, {}, false],
    ['--no-color on a terminal', false, false, {}, true],
    ['NO_COLOR on a terminal', false, undefined, { NO_COLOR: '1' }, true],
    ['an empty NO_COLOR', true, undefined, { NO_COLOR: '' }, true],
    ['FORCE_COLOR in a pipe', true, undefined, { FORCE_COLOR: '1' }, false],
    ['FORCE_COLOR=3 in a pipe', true, undefined, { FORCE_COLOR: '3' }, false],
    ['FORCE_COLOR=0 on a terminal', false, undefined, { FORCE_COLOR: '0' }, true],
    ['FORCE_COLOR=false on a terminal', false, undefined, { FORCE_COLOR: 'false' }, true],
    ['NO_COLOR beside FORCE_COLOR', false, undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    ['--no-color beside FORCE_COLOR', false, false, { FORCE_COLOR: '1' }, false],
    ['a dumb terminal', false, undefined, { TERM: 'dumb' }, true],
    ['a dumb terminal with FORCE_COLOR', true, undefined, { TERM: 'dumb', FORCE_COLOR: '1' }, true],
  ])('%s: colour %s', (_case, wanted, flag, env, isTTY) => {
    expect(isColorWanted(flag, env, isTTY)).toBe(wanted);
  });
});

describe('the TUIs', () => {
  it("give ink's shared chalk the command's decision, so NO_COLOR reaches the TUI too", () => {
    const streams = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
    terminalStreams({ ...streams, color: true });
    expect(chalk.level).toBeGreaterThanOrEqual(1);
    expect(chalk.green('x')).toBe(`${ESC}[32mx${ESC}[39m`);
    terminalStreams({ ...streams, color: false });
    expect(chalk.level).toBe(0);
    expect(chalk.green('x')).toBe('x');
  });
});

describe('terminal columns', () => {
  it('counts CJK characters and emoji as two columns, colour codes as none', () => {
    expect(textWidth('catalog')).toBe(7);
    expect(textWidth('商品')).toBe(4);
    expect(textWidth('🛒')).toBe(2);
    expect(textWidth('👩‍💻')).toBe(2);
    expect(textWidth(palette(true).green('商品'))).toBe(4);
  });

  it('cuts and pads to exact widths without splitting a character', () => {
    expect(headColumns('商品カタログ', 5)).toBe('商品');
    expect(tailColumns('商品カタログ', 5)).toBe('ログ');
    expect(headColumns('a👩‍💻b', 2)).toBe('a');
    expect(headColumns('a👩‍💻b', 3)).toBe('a👩‍💻');
    expect(padColumns('商品', 6)).toBe('商品  ');
    expect(fitColumns('商品カタログ', 6)).toBe('商品… ');
    expect(fitColumns('商品カタログ', 7)).toBe('商品カ…');
    expect(fitColumns('商品', 6)).toBe('商品  ');
    for (const width of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13]) {
      expect(textWidth(fitColumns('商品🛒カタログ', width))).toBe(width);
      expect(textWidth(fitColumns('plain ascii text', width))).toBe(width);
    }
  });

  it('aligns table columns with CJK and emoji cells', () => {
    const table = formatTable(
      ['KEY', 'VALUE', 'NOTE'],
      [
        ['api-url', 'http://127.0.0.1:4010', 'ascii'],
        ['名前', '商品カタログ', 'cjk'],
        ['emoji', '🛒🛍️ cart', 'emoji'],
      ],
    ).split('\n');
    // Every NOTE cell starts in the same terminal column.
    const noteColumn = (line: string, note: string) => textWidth(line.slice(0, line.lastIndexOf(note)));
    expect(noteColumn(table[0]!, 'NOTE')).toBe(noteColumn(table[1]!, 'ascii'));
    expect(noteColumn(table[2]!, 'cjk')).toBe(noteColumn(table[1]!, 'ascii'));
    expect(noteColumn(table[3]!, 'emoji')).toBe(noteColumn(table[1]!, 'ascii'));
    expect(table[2]).toBe('名前     商品カタログ           cjk');
  });

  it('wraps words by columns, CJK counted twice', () => {
    const lines = wrapWords('受信者 が 署名 を 確認 しません でした ので 失敗', 16, '  ');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(16);
  });
});
