/**
 * `kill -9` of `listen`: it loses at most MAX_ACCEPTED_UNWRITTEN of the requests it answered 2xx,
 * however long the history stays locked: past that many, what the database will not take goes to
 * the spool (which survives the kill) instead of waiting in memory.
 */
import http from 'node:http';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { MAX_ACCEPTED_UNWRITTEN } from '../../src/receiver/history-recorder.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { type RunningListener, startListen } from '../helpers/listen.js';

const SECRET = 's3cret';
let listener: RunningListener | undefined;
let blocker: Database.Database | undefined;
afterEach(() => {
  listener?.process.kill('SIGKILL');
  if (blocker?.open) blocker.close();
  listener = blocker = undefined;
});

async function deliverAll(url: string, count: number): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const answered: string[] = [];
  let next = 0;
  const one = (id: string) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ event: 'customer.cart.added', data: { n: id } });
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: {
          'x-webhook-event': 'customer.cart.added',
          'x-webhook-delivery': id,
          'x-webhook-signature': sign(body, SECRET),
        },
      });
      req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode!)));
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const id = `dlv_k9_${next++}`;
        if ((await one(id)) === 200) answered.push(id);
      }
    }),
  );
  agent.destroy();
  return answered;
}

describe('listen killed with SIGKILL', () => {
  it(`loses at most ${MAX_ACCEPTED_UNWRITTEN} answered requests while another process holds the history's write lock`, async () => {
    listener = await startListen(['--secret', SECRET]);
    blocker = new Database(listener.dbPath);
    blocker.exec('BEGIN EXCLUSIVE');
    const answered = await deliverAll(listener.url, 1_500);
    expect(answered).toHaveLength(1_500);
    listener.process.kill('SIGKILL');
    await listener.process;
    blocker.exec('COMMIT');
    blocker.close();

    // The next command imports what the killed listener had spooled.
    const store = HistoryStore.open(listener.dbPath);
    const kept = answered.filter((id) => store.get(id) !== undefined);
    store.close();
    expect(answered.length - kept.length).toBeLessThanOrEqual(MAX_ACCEPTED_UNWRITTEN);
  });
});
