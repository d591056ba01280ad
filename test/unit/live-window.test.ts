import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { keepWindow, type LiveRow } from '../../src/ui/listen/live-window.js';

function row(seq: number, bodyBytes = 10): LiveRow {
  const record = { requestBody: Buffer.alloc(bodyBytes), responseBody: null } as unknown as DeliveryRecord;
  return { seq, record };
}
const seqs = (rows: LiveRow[]) => rows.map((r) => r.seq);

describe('live window', () => {
  it('keeps the newest maxRows rows', () => {
    const first = keepWindow(
      [],
      [1, 2, 3].map((n) => row(n)),
      4,
      1e9,
    );
    expect(seqs(first)).toEqual([1, 2, 3]);
    expect(
      seqs(
        keepWindow(
          first,
          [4, 5, 6].map((n) => row(n)),
          4,
          1e9,
        ),
      ),
    ).toEqual([3, 4, 5, 6]);
  });

  it('keeps fewer rows when their bodies pass maxBytes, but always the newest', () => {
    const rows = [1, 2, 3, 4].map((n) => row(n, 400));
    expect(seqs(keepWindow([], rows, 100, 1000))).toEqual([3, 4]);
    expect(seqs(keepWindow([], [row(1, 10), row(2, 5000)], 100, 1000))).toEqual([2]);
  });

  it('stays bounded however many arrive', () => {
    let rows: LiveRow[] = [];
    for (let batch = 0; batch < 100; batch++)
      rows = keepWindow(
        rows,
        Array.from({ length: 500 }, (_, i) => row(batch * 500 + i, 100)),
        1000,
        50_000,
      );
    expect(rows).toHaveLength(500);
    expect(rows.at(-1)!.seq).toBe(49_999);
  });
});
