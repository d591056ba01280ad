import { Box, Text } from 'ink';
import type { DetailLine } from './detail-lines.js';

const TONES: Record<NonNullable<DetailLine['tone']>, { color?: string; bold?: boolean; dimColor?: boolean }> = {
  heading: { bold: true, color: 'cyan' },
  ok: { color: 'green' },
  bad: { color: 'red' },
  warn: { color: 'yellow' },
  dim: { dimColor: true },
};

/** A window of `height` lines of a delivery's detail, from `scroll`. */
export function DeliveryDetail({
  lines,
  scroll,
  height,
}: {
  lines: readonly DetailLine[];
  scroll: number;
  height: number;
}) {
  const top = Math.max(0, Math.min(scroll, lines.length - height));
  const visible = lines.slice(top, top + height);
  const more = lines.length - top - visible.length;
  return (
    <Box flexDirection="column" height={height + 1}>
      {visible.map((line, i) => (
        <Text key={top + i} wrap="truncate" {...(line.tone ? TONES[line.tone] : {})}>
          {line.text || ' '}
        </Text>
      ))}
      <Text dimColor>{more > 0 ? `… ${more} more line${more === 1 ? '' : 's'} (↓)` : ' '}</Text>
    </Box>
  );
}

/** Clamps a detail scroll position to the lines available. */
export function clampScroll(scroll: number, lineCount: number, height: number): number {
  return Math.max(0, Math.min(scroll, lineCount - height));
}
