/**
 * A load run's records in the spool (`appendShared`): encoded a part at a time straight into the
 * batch's buffer, written on the thread pool, and read back by the importer exactly as the records
 * `sentRecord` makes, whatever their text (non-ASCII errors and headers included).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownSentFields, sentRecord, sharedSentFields } from '../../src/delivery/sent-record.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { importSpool, SpoolWriter } from '../../src/store/delivery-spool.js';
import { tempDir } from '../helpers/cli.js';

describe('SpoolWriter.appendShared', () => {
  it('writes records that import equal to sentRecord, in the order appended, across batches', async () => {
    const dbPath = join(tempDir(), 'history.db');
    const bodies = [Buffer.from('{"event":"a","data":{"name":"Café"}}'), Buffer.from('{"event":"b","data":{}}')];
    const url = 'http://127.0.0.1:3000/webhook';
    const shared = bodies.map((body, i) => sharedSentFields({ source: 'trigger', event: `e${i}`, url, body }));
    const expected: DeliveryRecord[] = [];
    const spool = new SpoolWriter(dbPath).open();
    for (let i = 0; i < 700; i++) {
      const which = i % 3 === 0 ? 1 : 0;
      const request = {
        createdAt: 1_700_000_000_000 + i,
        deliveryId: `dlv_${i}`,
        headers: { 'x-webhook-delivery': `dlv_${i}`, 'x-note': i % 2 ? 'naïve — ok' : 'plain' },
      };
      const result =
        i % 7 === 0
          ? {
              durationMs: 10_000,
              error: `no answer from 127.0.0.1:3000 within 10000 ms — raise --timeout`,
              errorCode: 'timeout' as const,
            }
          : { status: i % 5 ? 200 : 503, headers: { server: 'é' }, body: Buffer.from(`answer ${i}`), durationMs: 1.5 };
      spool.appendShared(shared[which]!, ownSentFields(request, result, i % 11 === 0));
      expected.push({
        ...sentRecord({ source: 'trigger', event: `e${which}`, url, body: bodies[which]!, ...request }, result),
        duplicate: i % 11 === 0,
      });
    }
    await spool.closeAfterWrites();
    const imported: DeliveryRecord[] = [];
    expect(importSpool(dbPath, (records) => imported.push(...records))).toBe(700);
    expect(imported).toEqual(expected);
  });
});
