import { Text } from 'ink';
import type { LineDraft } from './line-editor.js';

/**
 * The filter prompt: `filter: ` then the draft, selected text in reverse video, and the cursor as
 * a reverse-video cell after it (a glyph such as █ is drawn two columns wide by some terminals,
 * which shifts the line).
 */
export function FilterLine({ draft }: { draft: LineDraft }) {
  return (
    <Text wrap="truncate-start" color="cyan">
      {'filter: '}
      {draft.selected ? <Text inverse>{draft.text}</Text> : draft.text}
      <Text inverse> </Text>
      {draft.selected ? <Text dimColor>{'  typing replaces it · → keeps it'}</Text> : null}
    </Text>
  );
}
