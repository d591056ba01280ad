/**
 * `--app-down hold`: a held delivery whose record went to the spool (the disk was full) and was
 * passed on to the app before the spool was imported. Once imported, its row must not say "held"
 * any more, or the next `listen --app-down hold` would pass it on again.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryRecorder } from '../../src/receiver/history-recorder.js';
import { spoolRecords } from '../../src/store/delivery-spool.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { deliveryRecord } from '../helpers/records.js';

const open: Array<() => unknown> = [];
afterEach(async () => {
  while (open.length) await open.pop()!();
});

describe('a held delivery passed on while its record waited in the spool', () => {
  it('is marked passed on (with the app refusal kept) once the spool is imported', async () => {
    const db = join(tempDir(), 'history.db');
    const store = HistoryStore.open(db, { importSpool: false });
    const recorder = new HistoryRecorder(store);
    open.push(
      () => store.close(),
      () => recorder.close({ retryMs: 0 }),
    );
    const held = deliveryRecord({ deliveryId: 'dlv_spooled', status: 202, appHeld: true, forwarded: false });
    spoolRecords(db, [held]);

    const answer = { status: 500, headers: {}, body: Buffer.from('{"app":"boom"}') };
    recorder.passedOn(held, { response: answer, error: null, durationMs: 1 });
    await recorder.whenWritten();
    expect(store.heldForApp()).toEqual([]); // not imported yet: nothing to mark

    recorder.importSpool();
    expect(store.heldForApp()).toEqual([]);
    const [row] = store.list({});
    expect(row).toMatchObject({ deliveryId: 'dlv_spooled', status: 202 });
    expect(store.get(row!.id!)).toMatchObject({
      appHeld: false,
      forwarded: true,
      error: 'passed on to the app, which answered 500 ({"app":"boom"})',
    });
  });
});
