/** Two texts compared line by line (jsdiff), as rows a diff view draws: kept, removed, added. */
import { diffLines } from 'diff';

export interface DiffRow {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

export function lineDiff(before: string, after: string): DiffRow[] {
  return diffLines(before, after).flatMap((change) => {
    const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
    const lines = change.value.replace(/\n$/, '').split('\n');
    return lines.map((text) => ({ kind, text }) as DiffRow);
  });
}

/** Headers as sorted `name: value` lines, so two sets compare line by line whatever their order. */
export function headerText(headers: Record<string, string | string[] | undefined>): string {
  return Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => `${name.toLowerCase()}: ${Array.isArray(value) ? value.join(', ') : value}`)
    .sort()
    .join('\n');
}
