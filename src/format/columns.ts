/**
 * Text fitted to terminal columns: cells, tables and wrapped lines. Widths are columns as
 * string-width counts them (a CJK character or an emoji takes two, an ANSI colour code none),
 * never `.length`. A module of its own because string-width prepares Unicode segmentation when
 * loaded (tens of milliseconds), which `trigger` and the other plain-line commands never need.
 */
import stringWidth from 'string-width';

/** Terminal columns `text` takes (ANSI colour codes take none). */
export function textWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter();

/** The longest start of `text` that fits in `width` columns, never splitting a character. */
export function headColumns(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  let used = 0;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    used += textWidth(segment);
    if (used > width) return text.slice(0, index);
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** The longest end of `text` that fits in `width` columns, never splitting a character. */
export function tailColumns(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const pieces = [...graphemes.segment(text)];
  let used = 0;
  let start = text.length;
  for (let i = pieces.length - 1; i >= 0; i--) {
    used += textWidth(pieces[i]!.segment);
    if (used > width) break;
    start = pieces[i]!.index;
  }
  return text.slice(start);
}

/** `text` followed by spaces up to `width` columns (unchanged when already as wide). */
export function padColumns(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}

/** Pads or cuts `text` (with an ellipsis) to exactly `width` columns. */
export function fitColumns(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return padColumns(text, width);
  return padColumns(`${headColumns(text, width - 1)}…`, width);
}

/**
 * `text` broken at spaces into lines of at most `width` columns, each after `indent` (a terminal
 * wraps mid-word); a word longer than the line stays whole on its own line.
 */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const room = Math.max(10, width - textWidth(indent));
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/ +/)) {
    if (current && textWidth(current) + 1 + textWidth(word) > room) {
      lines.push(indent + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current || lines.length === 0) lines.push(indent + current);
  return lines;
}

/** A plain-text table for terminals and pipes: a header line and columns aligned in terminal columns. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(textWidth(h), ...rows.map((r) => textWidth(r[i] ?? ''))));
  const line = (cols: string[]) =>
    cols.map((c, i) => (i === cols.length - 1 ? c : padColumns(c, widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}
