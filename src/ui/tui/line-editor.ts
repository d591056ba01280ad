/**
 * The one-line editor behind the TUIs' filter prompt. Pure: a key in, the next state out. The
 * text it opens with is selected, so typing replaces it (as in a search box) and → keeps it.
 */
import type { Key } from 'ink';

export interface LineDraft {
  text: string;
  /** The whole text is selected: typing replaces it, Backspace erases it. */
  selected: boolean;
}

/** What a key does to the line: a new draft, or the prompt ends. */
export type LineEdit = { draft: LineDraft } | { done: 'apply' | 'cancel' };

/** The prompt as it opens, showing `text` (the filter in force) selected. */
export function openLine(text: string): LineDraft {
  return { text, selected: text.length > 0 };
}

export function editLine(draft: LineDraft, input: string, key: Key): LineEdit {
  if (key.return) return { done: 'apply' };
  if (key.escape) return { done: 'cancel' };
  // Ctrl-U erases the line, Ctrl-W the last word, as in a shell.
  if (key.ctrl && input === 'u') return { draft: { text: '', selected: false } };
  if (key.ctrl && input === 'w')
    return { draft: { text: draft.selected ? '' : draft.text.replace(/\S*\s*$/, ''), selected: false } };
  // ink reports the Backspace key of most terminals (DEL, 0x7f) as `delete`.
  if (key.backspace || key.delete)
    return { draft: { text: draft.selected ? '' : draft.text.slice(0, -1), selected: false } };
  if (key.rightArrow || key.end || key.leftArrow || key.home) return { draft: { ...draft, selected: false } };
  // Control characters never become part of the text: a filter holding one matches nothing.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal control sequences is the point
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  if (text && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.tab) {
    return { draft: { text: (draft.selected ? '' : draft.text) + text, selected: false } };
  }
  return { draft };
}
