import type { Key } from 'ink';

/**
 * How far a key moves a list selection or a detail view's scroll: ↑/↓ and k/j by one line,
 * PageUp/PageDown by `page` (and space too, where there is no other use for it). 0: not a move.
 */
export function moveAmount(input: string, key: Key, page: number, spacePages = false): number {
  if (key.upArrow || input === 'k') return -1;
  if (key.downArrow || input === 'j') return 1;
  if (key.pageUp) return -page;
  if (key.pageDown || (spacePages && input === ' ')) return page;
  return 0;
}

/** Keys that leave a detail view for the list. */
export function isBackKey(key: Key): boolean {
  return key.escape || key.return || key.backspace || key.leftArrow;
}
