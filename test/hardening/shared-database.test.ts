/**
 * Several processes on one history database at once: two `listen` processes (different ports, the
 * same --db), a `trigger --count` load into each (which spools its records beside that database),
 * and `history` readers (which import the spool: writers too). Nobody fails on a locked database,
 * nobody prints an error, and every delivery is there twice, sent and received.
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';

const SECRET = 'shared-secret';
const PER_LISTENER = 3_000;

const running: RunningListener[] = [];
afterAll(async () => {
  await Promise.all(running.filter((l) => l.process.exitCode === null).map((l) => l.stop('SIGKILL')));
});

describe('two processes writing one history database', () => {
  it('loses nothing and reports no lock errors', async () => {
    const dir = tempDir();
    const env = { WEBHOOKS_DB: join(dir, 'shared.db') };
    // No inspector: its banner line is not what this test reads.
    const a = await startListen(['--secret', SECRET, '--json', '--no-inspect'], { configDir: dir, env });
    running.push(a);
    const b = await startListen(['--secret', SECRET, '--json', '--no-inspect', '--path', '/b'], {
      configDir: dir,
      env,
    });
    running.push(b);

    const load = (url: string) =>
      spawnCli(
        [
          '--json',
          'trigger',
          'customer.cart.added',
          '--to',
          url,
          '--secret',
          SECRET,
          '--count',
          String(PER_LISTENER),
          '--concurrency',
          '20',
        ],
        { configDir: dir, env, timeout: 60_000 },
      );
    const loads = Promise.all([load(a.url), load(`http://127.0.0.1:${b.port}/b`)]);
    let loading = true;
    void loads.finally(() => (loading = false));
    // Two reader loops meanwhile; each `history` also imports the spool into the database.
    const readers: Array<Awaited<ReturnType<typeof spawnCli>>> = [];
    const readLoop = async () => {
      do readers.push(await spawnCli(['--json', 'history', '--limit', '5'], { configDir: dir, env, timeout: 30_000 }));
      while (loading);
    };
    await Promise.all([readLoop(), readLoop()]);

    for (const sent of await loads) {
      expect(sent.stderr).toBe('');
      expect(sent.exitCode).toBe(0);
      expect(JSON.parse(sent.stdout).summary).toMatchObject({ sent: PER_LISTENER, succeeded: PER_LISTENER, errors: 0 });
    }
    for (const read of readers) {
      expect(read.stderr).toBe('');
      expect(read.exitCode).toBe(0);
      expect(Array.isArray(JSON.parse(read.stdout))).toBe(true);
    }
    running.length = 0;
    const stopped = await Promise.all([a.stop(), b.stop()]);
    for (const s of stopped) {
      expect(s.exitCode).toBe(0);
      // Only the banner and the closing line: no lock warning, no error.
      expect(s.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^listening on /),
        expect.stringMatching(/^stopped: 3000 requests received, all recorded in .*shared\.db$/),
      ]);
    }

    const store = HistoryStore.open(env.WEBHOOKS_DB);
    try {
      const received = store.list({ direction: 'in', limit: 1_000_000 });
      const sent = store.list({ direction: 'out', limit: 1_000_000 });
      expect(received).toHaveLength(2 * PER_LISTENER);
      expect(sent).toHaveLength(2 * PER_LISTENER);
      expect(received.every((r) => r.status === 200) && sent.every((r) => r.status === 200)).toBe(true);
      // The same deliveries on both sides, each once.
      const ids = (rows: typeof received) => rows.map((r) => r.deliveryId).sort();
      expect(new Set(ids(received)).size).toBe(2 * PER_LISTENER);
      expect(ids(received)).toEqual(ids(sent));
    } finally {
      store.close();
    }
  }, 90_000);

  it('waits out a lock held for a moment without a word, and warns only about one that lasts', async () => {
    const dir = tempDir();
    const db = join(dir, 'locked.db');
    const listener = await startListen(['--secret', SECRET, '--json', '--no-inspect'], {
      configDir: dir,
      env: { WEBHOOKS_DB: db },
    });
    running.push(listener);
    const other = new Database(db);
    const post = () => fetch(listener.url, { method: 'POST', body: '{}' }).then((r) => r.status);
    const holdLock = async (ms: number) => {
      other.exec('BEGIN IMMEDIATE');
      // Answers do not wait for the lock.
      expect(await Promise.all(Array.from({ length: 10 }, post))).toEqual(Array(10).fill(401));
      await new Promise((r) => setTimeout(r, ms));
      other.exec('COMMIT');
      await new Promise((r) => setTimeout(r, 300));
    };
    let stderr = '';
    listener.process.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A big spool import or a busy reader holds the lock about this long.
    await holdLock(800);
    expect(stderr).toBe('');
    await holdLock(3_000);
    expect(stderr).toMatch(
      /^warning: the history database is locked by another process; .*\nthe history database is writable again\n$/,
    );
    other.close();
    running.length = 0;
    const stopped = await listener.stop();
    expect(stopped.exitCode).toBe(0);
    const store = HistoryStore.open(db);
    try {
      expect(store.count({ direction: 'in' })).toBe(20);
    } finally {
      store.close();
    }
  }, 30_000);
});
