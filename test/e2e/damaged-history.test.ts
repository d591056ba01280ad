/**
 * A history database the test damages itself (pages of a real history file overwritten): `listen`
 * keeps answering and puts every answered request in the spool, SIGTERM ends it within the grace
 * period with a stop line that says how many and where, every command names the file and the fix
 * in one line, and once the file is moved aside the next command imports what was spooled.
 */
import { createHmac } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EmulatorStore } from '../../src/emulator/emulator-store.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { startListen } from '../helpers/listen.js';
import { startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';
const GRACE_MS = 5_000;

/** A real history: 40 deliveries sent by `trigger` and imported into SQLite by `history`. */
async function realHistory(configDir: string, db = join(configDir, 'history.db')): Promise<string[]> {
  const receiver = await startRecordingServer();
  try {
    const sent = await spawnCli(
      [
        '--db',
        db,
        'trigger',
        'catalog.product.created',
        'customer.cart.added',
        '--to',
        receiver.url,
        '--secret',
        SECRET,
        '--count',
        '20',
      ],
      { configDir },
    );
    expect(sent.exitCode).toBe(0);
  } finally {
    await receiver.close();
  }
  const listed = await spawnCli(['--db', db, '--json', 'history', '--limit', '100'], { configDir });
  const rows = JSON.parse(listed.stdout) as Array<{ delivery_id: string }>;
  expect(rows).toHaveLength(40);
  return rows.map((r) => r.delivery_id);
}

/**
 * Overwrites pages of the file with garbage, as a bad disk or a stray write would: the index
 * pages (the table itself still reads, so the damage shows at the first write), or page 1.
 */
function damage(file: string, where: 'index pages' | 'first page'): void {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const roots = (
    db.prepare(`SELECT rootpage FROM sqlite_master WHERE type = 'index'`).all() as Array<{ rootpage: number }>
  ).map((r) => r.rootpage);
  db.close();
  const fd = openSync(file, 'r+');
  const garbage = Buffer.alloc(pageSize, 0x5a);
  for (const page of where === 'first page' ? [1] : roots) writeSync(fd, garbage, 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
}

function sign(body: string): string {
  return `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
}

/** Sends `count` signed deliveries, 8 at a time; returns the delivery ids answered 200. */
async function sendSigned(url: string, count: number): Promise<string[]> {
  const answered: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const id = `dlv_damaged_${String(next++).padStart(4, '0')}`;
      const body = JSON.stringify({
        event: 'catalog.product.updated',
        timestamp: '2026-12-01T10:00:00Z',
        data: { product_id: 'prod_1', sku: 'SKU-1', quantity: next },
      });
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-webhook-event': 'catalog.product.updated',
          'x-webhook-delivery': id,
          'x-webhook-signature': sign(body),
        },
      });
      await res.arrayBuffer();
      if (res.status === 200) answered.push(id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return answered;
}

/** The delivery ids in a spool file (JSON lines). */
function spooledIds(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { deliveryId: string }).deliveryId);
}

const moveAsideHint = (db: string) =>
  `move it aside (\`mv ${db} ${db}.damaged\`) and a new history starts; \`sqlite3 ${db}.damaged .recover\` may rescue rows`;

/** Every command that uses the history, on the damaged file: exit 1 and one line on stderr. */
async function expectEveryCommandRefuses(
  configDir: string,
  db: string,
  message: string,
  someId: string,
): Promise<void> {
  const line = `error: ${message} — ${moveAsideHint(db)}`;
  const commands = [
    ['history'],
    ['history', 'show', someId],
    ['history', 'export'],
    ['replay', someId, '--secret', SECRET, '--to', 'http://127.0.0.1:9/webhook'],
    ['trigger', 'catalog.product.created', '--to', 'http://127.0.0.1:9/webhook', '--secret', SECRET],
    ['listen', '--port', '0', '--secret', SECRET],
    ['--verbose', 'history'],
    ['--verbose', 'listen', '--port', '0', '--secret', SECRET],
  ];
  for (const args of commands) {
    // Bounded: a listen that started would run until killed.
    const result = await spawnCli(['--db', db, ...args], { configDir, timeout: 20_000 });
    expect({ args, exitCode: result.exitCode, stderr: result.stderr }).toEqual({ args, exitCode: 1, stderr: line });
  }
  const json = await spawnCli(['--db', db, '--json', 'history'], { configDir });
  expect(json.exitCode).toBe(1);
  expect(JSON.parse(json.stdout).error).toEqual({ message, hint: moveAsideHint(db), exitCode: 1 });
}

describe('a damaged history database', () => {
  it('listen keeps answering, spools every answered request, stops within the grace period; every command names the file and the fix; the spool is imported once the file is moved aside', async () => {
    const configDir = tempDir();
    const db = join(configDir, 'history.db');
    const earlier = await realHistory(configDir);
    damage(db, 'index pages');

    const listener = await startListen(['--secret', SECRET], { configDir });
    let stderr = '';
    listener.process.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const answered = await sendSigned(listener.url, 200);
    expect(answered).toHaveLength(200);
    await until(() => stderr.includes('warning:'), 10_000, 'the damage warning');
    expect(stderr).toContain(
      `warning: ${db} is damaged (SQLite: database disk image is malformed); requests go to ${db}.spool/`,
    );

    const signalled = Date.now();
    const result = await listener.stop('SIGTERM');
    expect(Date.now() - signalled).toBeLessThan(GRACE_MS);
    expect(result.exitCode).toBe(0);
    const stop = /stopped: (\d+) requests received; 0 recorded in (.+?), (\d+) kept in (\S+) because (.+)$/m.exec(
      result.stderr,
    );
    expect(stop, result.stderr).not.toBeNull();
    expect(Number(stop![1])).toBe(200);
    expect(stop![2]).toBe(db);
    expect(Number(stop![3])).toBe(200);
    const spoolFile = stop![4]!;
    expect(spoolFile.startsWith(`${db}.spool/`)).toBe(true);
    expect(stop![5]).toContain(`${db} is damaged (SQLite: database disk image is malformed) — ${moveAsideHint(db)}`);
    expect(spooledIds(spoolFile).sort()).toEqual([...answered].sort());

    await expectEveryCommandRefuses(
      configDir,
      db,
      `${db} is damaged (SQLite: database disk image is malformed)`,
      earlier[0]!,
    );

    renameSync(db, `${db}.damaged`);
    const after = await spawnCli(['--json', 'history', '--limit', '1000'], { configDir });
    expect(after.exitCode).toBe(0);
    const ids = (JSON.parse(after.stdout) as Array<{ delivery_id: string; direction: string }>)
      .filter((r) => r.direction === 'in')
      .map((r) => r.delivery_id);
    expect(ids.sort()).toEqual([...answered].sort());
    expect(readdirSync(`${db}.spool`).filter((n) => n.endsWith('.jsonl') || n.endsWith('.part'))).toEqual([]);
  }, 120_000);

  it('a spool trigger left on a file whose damage nobody has found yet: listen starts, answers, spools and warns once; both are imported once the file is moved aside', async () => {
    const configDir = tempDir();
    const db = join(configDir, 'history.db');
    await realHistory(configDir);
    damage(db, 'index pages');
    // trigger never opens SQLite: its record waits in the spool, and the damage is found by whoever imports it.
    const receiver = await startRecordingServer();
    let triggered: string;
    try {
      const sent = await spawnCli(
        ['--db', db, '--json', 'trigger', 'customer.cart.added', '--to', receiver.url, '--secret', SECRET],
        { configDir },
      );
      expect(sent.exitCode).toBe(0);
      triggered = receiver.requests[0]!.headers['x-webhook-delivery'] as string;
    } finally {
      await receiver.close();
    }
    expect(readdirSync(`${db}.spool`).filter((n) => n.endsWith('.jsonl'))).toHaveLength(1);

    const listener = await startListen(['--secret', SECRET], { configDir });
    let stderr = '';
    listener.process.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const answered = await sendSigned(listener.url, 30);
    expect(answered).toHaveLength(30);
    await until(() => stderr.includes('warning:'), 10_000, 'the damage warning');
    const result = await listener.stop('SIGTERM');
    expect(result.exitCode).toBe(0);
    // The whole run's stderr: one warning, however many requests went to the spool.
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `warning: ${db} is damaged (SQLite: database disk image is malformed); requests go to ${db}.spool/`,
    );
    expect(result.stderr).toMatch(
      /stopped: 30 requests received; 0 recorded in .+?, 30 kept in \S+ because .+ is damaged/,
    );

    renameSync(db, `${db}.damaged`);
    const after = await spawnCli(['--json', 'history', '--limit', '1000'], { configDir });
    expect(after.exitCode).toBe(0);
    const ids = (JSON.parse(after.stdout) as Array<{ delivery_id: string }>).map((r) => r.delivery_id);
    expect(ids.sort()).toEqual([...answered, triggered].sort());
  }, 120_000);

  it("a first page that is not SQLite's: every command refuses it, trigger included, in one line", async () => {
    const configDir = tempDir();
    const db = join(configDir, 'history.db');
    const earlier = await realHistory(configDir);
    damage(db, 'first page');
    await expectEveryCommandRefuses(
      configDir,
      db,
      `${db} is damaged or is not a webhooks-cli history database (SQLite: file is not a database)`,
      earlier[0]!,
    );
  }, 120_000);

  it('when the spool beside the database cannot be written either, a named file in the config directory takes the requests, and is imported just the same', async () => {
    const configDir = tempDir();
    const dataDir = tempDir();
    const db = join(dataDir, 'history.db');
    await realHistory(configDir, db);
    damage(db, 'index pages');
    // The spool's name is taken by a file: nothing can be written beside the database.
    rmSync(`${db}.spool`, { recursive: true });
    writeFileSync(`${db}.spool`, 'not a folder');

    const listener = await startListen(['--db', db, '--secret', SECRET], { configDir });
    const answered = await sendSigned(listener.url, 50);
    expect(answered).toHaveLength(50);
    const result = await listener.stop('SIGTERM');
    const stop = /stopped: 50 requests received; 0 recorded in .+?, 50 kept in (\S+) because/m.exec(result.stderr);
    expect(stop, result.stderr).not.toBeNull();
    const fallback = stop![1]!;
    expect(fallback.startsWith(`${join(configDir, 'unwritten-history')}/`)).toBe(true);
    expect(existsSync(fallback)).toBe(true);
    expect(spooledIds(fallback).sort()).toEqual([...answered].sort());

    renameSync(db, `${db}.damaged`);
    const after = await spawnCli(['--db', db, '--json', 'history', '--direction', 'in', '--limit', '1000'], {
      configDir,
    });
    expect(after.exitCode).toBe(0);
    expect((JSON.parse(after.stdout) as Array<{ delivery_id: string }>).map((r) => r.delivery_id).sort()).toEqual(
      [...answered].sort(),
    );
    expect(existsSync(fallback)).toBe(false);
  }, 120_000);

  it('serve on a damaged state file: one line naming it and the fix, --verbose too', async () => {
    const dir = tempDir();
    const state = join(dir, 'emulator.db');
    const store = EmulatorStore.open(state);
    store.createWebhook({
      id: 'wh_1',
      url: 'http://127.0.0.1:9/h',
      events: ['customer.cart.added'],
      secret: SECRET,
      active: true,
      debugMode: false,
      createdAt: 1,
      updatedAt: 1,
      consecutiveFailures: 0,
      disabledReason: null,
      disabledAt: null,
    });
    store.enqueue([
      { id: 'dlv_1', webhookId: 'wh_1', event: 'customer.cart.added', body: Buffer.from('{}'), createdAt: 1 },
    ]);
    store.close();
    damage(state, 'index pages');
    const line = `error: ${state} is damaged (SQLite: database disk image is malformed) — move it aside (\`mv ${state} ${state}.damaged\`) and the emulator starts with no webhooks; \`sqlite3 ${state}.damaged .recover\` may rescue rows`;
    for (const args of [['serve'], ['--verbose', 'serve']]) {
      const result = await spawnCli([...args, '--port', '0', '--state', state], { timeout: 20_000 });
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 1, stderr: line });
    }
  }, 60_000);
});
