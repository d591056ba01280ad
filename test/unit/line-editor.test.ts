import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { editLine, type LineDraft, openLine } from '../../src/ui/tui/line-editor.js';

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** Feeds keys (a string is typed character by character) and returns the draft or how it ended. */
function keys(draft: LineDraft, ...presses: Array<string | [string, Partial<Key>]>): LineDraft | string {
  for (const press of presses) {
    const steps: Array<[string, Partial<Key>]> = typeof press === 'string' ? [...press].map((c) => [c, {}]) : [press];
    for (const [input, key] of steps) {
      const edit = editLine(draft, input, { ...NO_KEY, ...key });
      if ('done' in edit) return edit.done;
      draft = edit.draft;
    }
  }
  return draft;
}

describe('line editor', () => {
  it('opens with the current text selected, which typing replaces', () => {
    expect(openLine('invalid')).toEqual({ text: 'invalid', selected: true });
    expect(openLine('')).toEqual({ text: '', selected: false });
    expect(keys(openLine('invalid'), 'status:200')).toEqual({ text: 'status:200', selected: false });
  });

  it('Backspace erases the selection, then one character at a time', () => {
    expect(keys(openLine('invalid'), ['', { backspace: true }])).toEqual({ text: '', selected: false });
    expect(keys(openLine(''), 'abc', ['', { delete: true }])).toEqual({ text: 'ab', selected: false });
  });

  it('Ctrl-U erases the line, Ctrl-W the last word', () => {
    expect(keys(openLine(''), 'event:a status:500', ['u', { ctrl: true }])).toEqual({ text: '', selected: false });
    expect(keys(openLine(''), 'event:a status:500', ['w', { ctrl: true }])).toEqual({
      text: 'event:a ',
      selected: false,
    });
  });

  it('→ keeps the opened text to add to it', () => {
    expect(keys(openLine('invalid'), ['', { rightArrow: true }], ' dup')).toEqual({
      text: 'invalid dup',
      selected: false,
    });
  });

  it('ignores other control keys, and ends with Enter or Esc', () => {
    expect(keys(openLine(''), 'a', ['x', { ctrl: true }], ['', { upArrow: true }])).toEqual({
      text: 'a',
      selected: false,
    });
    expect(keys(openLine('a'), ['', { return: true }])).toBe('apply');
    expect(keys(openLine('a'), ['', { escape: true }])).toBe('cancel');
  });

  it('never takes a control character into the text', () => {
    expect(keys(openLine(''), 'cat', ['\u0015alog', {}])).toEqual({ text: 'catalog', selected: false });
  });
});
