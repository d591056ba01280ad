import { Text, useCursor } from 'ink';
import { textWidth } from '../../format/columns.js';
import type { LineDraft } from './line-editor.js';

const PROMPT = 'filter: ';

export interface FilterLineProps {
  draft: LineDraft;
  /** The line's row in the frame (0 is the first line ink draws), for the cursor. */
  row: number;
  columns: number;
}

/**
 * The filter prompt: `filter: ` and the draft, its opening text selected in reverse video. The
 * terminal's own cursor stands after the text: a drawn glyph (█) is two columns wide in some
 * terminals and shifted the line, and trailing blanks are dropped from the frame.
 */
export function FilterLine({ draft, row, columns }: FilterLineProps) {
  const { setCursorPosition } = useCursor();
  // A draft wider than the line keeps its end, where typing happens, in view; a CJK character takes two columns.
  setCursorPosition({ x: Math.min(PROMPT.length + textWidth(draft.text), Math.max(0, columns - 1)), y: row });
  return (
    <Text wrap="truncate-start" color="cyan">
      {PROMPT}
      {draft.selected ? <Text inverse>{draft.text}</Text> : draft.text}
      {draft.selected ? <Text dimColor>{'  typing replaces it · → keeps it'}</Text> : null}
    </Text>
  );
}
