/**
 * `listen` on a disk that fills up (a 3 MB tmpfs): it never answers 2xx for what it cannot keep.
 * A write that fails sends the records to the spool, then to the fallback folder in the config
 * directory; when nothing can be written it answers 503 with Retry-After and says so once; and its
 * stop line counts exactly what is where. Every delivery id answered 2xx is found afterwards.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { mountTmpfs, skipWithoutTmpfs } from '../helpers/tmpfs.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Answer {
  id: string;
  status: number;
  retryAfter?: string;
}

/** Sends `count` signed deliveries (about 1.5 KB each), 16 at a time; the answers in the order sent. */
async function deliver(url: string, count: number, prefix: string): Promise<Answer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const answers: Answer[] = new Array(count);
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const id = `dlv_${prefix}_${i}`;
      const body = JSON.stringify({
        event: 'catalog.product.updated',
        timestamp: '2026-01-01T00:00:00Z',
        data: { product_id: `prod_${i}`, sku: 'TEE-01', quantity: i, description: 'x'.repeat(1_400) },
      });
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'x-webhook-event': 'catalog.product.updated',
          'x-webhook-delivery': id,
          'x-webhook-signature': sign(body, SECRET),
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          answers[i] = { id, status: res.statusCode!, retryAfter: res.headers['retry-after'] };
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) await one(next++);
    }),
  );
  agent.destroy();
  return answers;
}

/** The delivery ids kept: in the database (copied off the full disk first) and in every spool file under `roots`. */
function keptIds(dbPath: string, roots: string[]): { inDatabase: string[]; inSpool: Map<string, string[]> } {
  const copy = join(tempDir(), 'copy');
  cpSync(join(dbPath, '..'), copy, { recursive: true });
  const db = new Database(join(copy, 'history.db'));
  const inDatabase = (
    db.prepare(`SELECT delivery_id FROM deliveries WHERE direction = 'in'`).pluck().all() as string[]
  ).filter(Boolean);
  db.close();
  const inSpool = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(jsonl|part)$/.test(entry.name))
        inSpool.set(
          path.replace(/\.part$/, '.jsonl'),
          readFileSync(path, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as { deliveryId: string }).deliveryId),
        );
    }
  };
  for (const root of roots) walk(root);
  return { inDatabase, inSpool };
}

/** `stopped: N requests received; W recorded in …, S kept in P, … [, L kept nowhere …, A of them answered 2xx]`. */
function readStopLine(stderr: string) {
  const line = stderr.split('\n').find((l) => l.startsWith('stopped: '))!;
  expect(line, stderr).toBeDefined();
  expect(line).not.toContain('all recorded');
  const received = Number(/stopped: (\d+) requests received/.exec(line)![1]);
  const written = Number(/; (\d+) recorded in /.exec(line)![1]);
  const spools = [...line.matchAll(/, (\d+) kept in (\S+?\.jsonl)/g)].map((m) => ({
    records: Number(m[1]),
    path: m[2]!,
  }));
  const lost = /; (\d+) kept nowhere .*, (\d+) of them answered 2xx/.exec(line);
  return { line, received, written, spools, lost: Number(lost?.[1] ?? 0), lostAccepted: Number(lost?.[2] ?? 0) };
}

describe.skipIf(skipWithoutTmpfs())('listen on a full disk', () => {
  it('keeps every request it answered 2xx in the fallback folder once the database and its spool run out of room', async () => {
    const disk = mountTmpfs('3m');
    cleanups.push(disk.unmount);
    const dbPath = join(disk.dir, 'history.db');
    const configDir = tempDir();
    const listener: RunningListener = await startListen(['--secret', SECRET, '--db', dbPath], { configDir });
    cleanups.push(() => listener.process.kill('SIGKILL'));

    const answers = await deliver(listener.url, 2_500, 'a');
    // The fallback folder is on another disk with room: nothing is refused.
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const result = await listener.stop();
    expect(result.exitCode).toBe(0);

    const stop = readStopLine(result.stderr);
    const kept = keptIds(dbPath, [join(disk.dir), join(configDir, 'unwritten-history')]);
    // The stop line counts exactly what each place holds, and that is every request answered.
    expect(stop.received).toBe(2_500);
    expect(stop.written).toBe(kept.inDatabase.length);
    for (const file of stop.spools) expect(kept.inSpool.get(file.path)?.length, file.path).toBe(file.records);
    expect(stop.spools.reduce((sum, f) => sum + f.records, 0) + stop.written).toBe(2_500);
    expect(stop.lost).toBe(0);
    expect(stop.spools.some((f) => f.path.startsWith(join(configDir, 'unwritten-history')))).toBe(true);
    const all = [...kept.inDatabase, ...[...kept.inSpool.values()].flat()];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(answers.map((a) => a.id)));
    // Said, naming where the requests go (again after the database took a small batch in between).
    const said = [
      ...result.stderr.matchAll(/warning: cannot write the history \(the disk is full\); requests go to (\S+)/g),
    ];
    expect(said.length).toBeGreaterThan(0);
    for (const [, file] of said) expect(stop.spools.map((f) => f.path)).toContain(file);
  });

  it('answers 503 with Retry-After once nothing can be written, says so once, keeps every 2xx, and accepts again when room is freed', async () => {
    const disk = mountTmpfs('3m');
    cleanups.push(disk.unmount);
    // The config directory (and so the fallback folder) on the same full disk; a filler to free later.
    const configDir = join(disk.dir, 'config');
    const filler = join(disk.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(1_200 * 1024));
    const dbPath = join(disk.dir, 'history.db');
    const listener = await startListen(['--secret', SECRET, '--db', dbPath], { configDir });
    cleanups.push(() => listener.process.kill('SIGKILL'));

    const first = await deliver(listener.url, 2_000, 'b');
    const refusedAt = first.findIndex((a) => a.status === 503);
    expect(refusedAt).toBeGreaterThan(0);
    // From the first refusal on, nothing more is accepted; each refusal asks the sender to come back.
    expect(first.slice(refusedAt).every((a) => a.status === 503 && a.retryAfter === '60')).toBe(true);
    const accepted = first.filter((a) => a.status === 200);
    expect(accepted.length + first.length - refusedAt).toBe(first.length);

    // Room again: the listener notices, and accepts again.
    rmSync(filler);
    await until(
      async () => (await deliver(listener.url, 1, `probe_${Date.now()}`))[0]!.status === 200,
      10_000,
      'accepting again',
    );
    const result = await listener.stop();
    expect(result.stderr.match(/error: NOT RECORDING: nothing can be written: /g), result.stderr).toHaveLength(1);
    expect(result.stderr).toContain('answering requests 503 with Retry-After until space is freed');
    expect(result.stderr).toContain('the history is writable again: requests are accepted and recorded again');

    const stop = readStopLine(result.stderr);
    const kept = keptIds(dbPath, [disk.dir]);
    const all = [...kept.inDatabase, ...[...kept.inSpool.values()].flat()];
    // Every request answered 2xx is kept, once; what the line says matches what is there.
    for (const { id } of accepted)
      expect(
        all.filter((x) => x === id),
        id,
      ).toHaveLength(1);
    expect(stop.lostAccepted).toBe(0);
    expect(stop.written).toBe(kept.inDatabase.length);
    for (const file of stop.spools) expect(kept.inSpool.get(file.path)?.length, file.path).toBe(file.records);
    expect(stop.written + stop.spools.reduce((sum, f) => sum + f.records, 0) + stop.lost).toBe(stop.received);
  });

  it('stopped while nothing can be written, it still exits at once, counting what it could not keep', async () => {
    const disk = mountTmpfs('3m');
    cleanups.push(disk.unmount);
    const configDir = join(disk.dir, 'config');
    writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(1_200 * 1024));
    const dbPath = join(disk.dir, 'history.db');
    const listener = await startListen(['--secret', SECRET, '--db', dbPath], { configDir });
    cleanups.push(() => listener.process.kill('SIGKILL'));
    const answers = await deliver(listener.url, 1_500, 'c');
    expect(answers.some((a) => a.status === 503)).toBe(true);
    const stopping = Date.now();
    const result = await listener.stop();
    expect(Date.now() - stopping).toBeLessThan(8_000);
    expect(result.exitCode).toBe(0);
    const stop = readStopLine(result.stderr);
    expect(stop.lost).toBeGreaterThan(0);
    expect(stop.lostAccepted).toBe(0);
    expect(stop.received).toBe(1_500);
  });
});
