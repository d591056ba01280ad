/**
 * A row of Unicode blocks (▁▂▃▄▅▆▇█) for a series of values, as sparklines draw them: enough to
 * see a stall or a dip in a run's timeline at a glance. Pure.
 */

const BLOCKS = '▁▂▃▄▅▆▇█';

/** One block per value, scaled to the largest; a missing value is a space, a zero the lowest block. */
export function blockRow(values: ReadonlyArray<number | null>): string {
  const top = Math.max(0, ...values.map((v) => v ?? 0));
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (top === 0) return BLOCKS[0];
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.round((v / top) * (BLOCKS.length - 1)))];
    })
    .join('');
}

/**
 * `values` squeezed into at most `width` columns, each column combining a run of neighbours with
 * `combine` (a mean for a rate, the largest for a p99); missing values are left out of a column.
 */
export function fitColumns(
  values: ReadonlyArray<number | null>,
  width: number,
  combine: (group: number[]) => number,
): Array<number | null> {
  if (values.length <= width) return [...values];
  const columns: Array<number | null> = [];
  for (let c = 0; c < width; c++) {
    const from = Math.floor((c * values.length) / width);
    const to = Math.floor(((c + 1) * values.length) / width);
    const group = values.slice(from, to).filter((v): v is number => v !== null);
    columns.push(group.length ? combine(group) : null);
  }
  return columns;
}

export const mean = (group: number[]) => group.reduce((a, b) => a + b, 0) / group.length;
export const largest = (group: number[]) => Math.max(...group);
