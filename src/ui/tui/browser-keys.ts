/**
 * The keys the two browsers (the live `listen` view and the `history` browser) share: Ctrl-C and
 * q quit, r replays, e edits and replays, the filter line edits, the detail view scrolls and goes back. What the list
 * itself does with a key differs between them and stays with each (`onListKey`).
 */
import type { Key } from 'ink';
import { editLine, type LineDraft } from './line-editor.js';

export type BrowserMode = 'list' | 'detail' | 'filter';

/** The help line of each mode: a key, then what it does. */
export type KeyList = ReadonlyArray<readonly [string, string]>;

export const LIST_KEYS: KeyList = [
  ['↑/↓ j/k', 'move'],
  ['Enter', 'details'],
  ['r', 'replay'],
  ['e', 'edit+replay'],
  ['f', 'filter'],
  ['q', 'quit'],
];
export const FILTERED_LIST_KEYS: KeyList = [
  ['↑/↓ j/k', 'move'],
  ['Enter', 'details'],
  ['r', 'replay'],
  ['e', 'edit+replay'],
  ['f', 'edit filter'],
  ['Esc', 'clear filter'],
  ['q', 'quit'],
];
export const DETAIL_KEYS: KeyList = [
  ['↑/↓ j/k', 'scroll'],
  ['Esc', 'back'],
  ['r', 'replay'],
  ['e', 'edit+replay'],
  ['q', 'quit'],
];

/** The filter line's help; `words` are the query words that browser understands. */
export function filterKeys(words: string): KeyList {
  return [
    ['Enter', 'apply'],
    ['Esc', 'clear'],
    ['Ctrl-U', 'erase'],
    ['words', words],
  ];
}

export interface BrowserKeyState {
  mode: BrowserMode;
  draft: LineDraft;
  message: string;
  /** A result still on its way (replaying…): the message stays until it arrives. */
  messagePending: boolean;
}

export interface BrowserKeyActions {
  /** Rows in a page (PageUp/PageDown). */
  page: number;
  quit(): void;
  replay(): void;
  /** `e`: edit the body in the user's editor, then replay it. */
  editReplay(): void;
  clearMessage(): void;
  setDraft(draft: LineDraft): void;
  /** The filter line was applied (Enter, with its text) or cancelled (Esc, undefined). */
  finishFilter(text: string | undefined): void;
  backToList(): void;
  scrollBy(lines: number): void;
  onListKey(input: string, key: Key): void;
}

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

export function routeBrowserKey(input: string, key: Key, state: BrowserKeyState, actions: BrowserKeyActions): void {
  if (key.ctrl && input === 'c') return actions.quit();
  // A result line has been read once a key is pressed.
  if (state.message && !state.messagePending) actions.clearMessage();
  if (state.mode === 'filter') {
    const edit = editLine(state.draft, input, key);
    if (!('done' in edit)) actions.setDraft(edit.draft);
    else actions.finishFilter(edit.done === 'apply' ? state.draft.text.trim() : undefined);
    return;
  }
  if (input === 'q') return actions.quit();
  if (input === 'r') return actions.replay();
  if (input === 'e') return actions.editReplay();
  if (state.mode === 'detail') {
    const by = moveAmount(input, key, actions.page, true);
    if (key.escape || key.return || key.backspace || key.leftArrow) actions.backToList();
    else if (by) actions.scrollBy(by);
    return;
  }
  actions.onListKey(input, key);
}
