/** Cutting text for a line of the screen where its end matters as much as its start. */

/** `text` in at most `width` characters: its start and its end, `…` in the middle. */
export function shortenMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return width === 1 ? '…' : '';
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join('')}…${tail ? chars.slice(-tail).join('') : ''}`;
}

/** How many characters `text` takes (code points: what the header lines hold is narrow text). */
export function charCount(text: string): number {
  return [...text].length;
}
