/**
 * A backlog drained into a listener whose disk fills up (a tmpfs nearly filled by a file): while nothing can be
 * written, the listener acknowledges nothing, so the relay keeps what is left; once room is freed
 * the drain goes on. Every held delivery ends up kept exactly once (in the history or a spool
 * file) and the relay holds nothing afterwards.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { SqliteHoldStore } from '../../src/store/sqlite-hold-store.js';
import { tempDir } from '../helpers/cli.js';
import { type ListenProcess, spawnListen } from '../helpers/relay-listen.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { mountTmpfs, skipWithoutTmpfs } from '../helpers/tmpfs.js';
import { until } from '../helpers/until.js';

const SECRET = 'full-disk-secret';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function listen(wsUrl: string, configDir: string): ListenProcess {
  const listener = spawnListen(wsUrl, [], { secret: SECRET, configDir });
  cleanups.push(() => listener.stop('SIGKILL'));
  return listener;
}

/** About 1.5 KB each: a few hundred fill what the filler leaves, and fit once it is gone. */
async function deliver(url: string, id: string): Promise<number> {
  const body = JSON.stringify({
    event: 'catalog.product.updated',
    timestamp: '2026-01-01T00:00:00Z',
    data: { product_id: id, sku: 'TEE-01', quantity: 1, description: 'x'.repeat(1_400) },
  });
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': 'catalog.product.updated',
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, SECRET),
    },
  });
  await res.arrayBuffer();
  return res.status;
}

/** Every delivery id kept under `root`: in the history (copied off the full disk first) and in each spool file. */
function keptIds(root: string): string[] {
  const copy = join(tempDir(), 'copy');
  cpSync(root, copy, { recursive: true });
  const db = new Database(join(copy, 'config', 'history.db'));
  const kept = (
    db.prepare(`SELECT delivery_id FROM deliveries WHERE direction = 'in'`).pluck().all() as string[]
  ).filter(Boolean);
  db.close();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(jsonl|part)$/.test(entry.name))
        for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean))
          kept.push((JSON.parse(line) as { deliveryId: string }).deliveryId);
    }
  };
  walk(copy);
  return kept;
}

describe.skipIf(skipWithoutTmpfs())('a backlog drained onto a full disk', () => {
  it('acknowledges nothing it cannot keep: the relay keeps the rest until room is freed, and nothing is lost or kept twice', async () => {
    // The filler leaves about 1.4 MB (less the room listen sets aside): part of the backlog fits.
    // Freed, it leaves several times what the whole backlog needs with its WAL, so the drain is not
    // stopped again by a checkpoint that lags on a busy machine.
    const disk = mountTmpfs('8m');
    cleanups.push(disk.unmount);
    const configDir = join(disk.dir, 'config');
    const dataDir = tempDir();
    const relay: RelayProcess = await startRelayProcess(
      0,
      ['--data-dir', dataDir, '--rate-limit', '100000'],
      tempDir(),
    );
    cleanups.push(() => relay.stop('SIGKILL'));

    const first = listen(relay.wsUrl, configDir);
    const channel = new URL(await first.waitFor(/relay: connected — public URL (\S+)/)).pathname.slice(1);
    await first.stop();

    const ids = Array.from({ length: 600 }, (_, n) => `dlv_full_${String(n).padStart(4, '0')}`);
    for (let n = 0; n < ids.length; n += 16)
      expect(await Promise.all(ids.slice(n, n + 16).map((id) => deliver(`${relay.url}/${channel}`, id)))).toEqual(
        Array(Math.min(16, ids.length - n)).fill(202),
      );

    // The disk has room for only part of the backlog.
    const filler = join(disk.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(6_600 * 1024));
    const held = async () => {
      const store = SqliteHoldStore.open(dataDir);
      try {
        return await store.holding(channel);
      } finally {
        await store.close();
      }
    };
    const listener = listen(relay.wsUrl, configDir);
    await listener.waitFor(/nothing can be written/, 1, 60_000);
    // Refusing: what the relay still holds is not acknowledged, and stays held.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const stillHeld = (await held()).count;
    expect(stillHeld).toBeGreaterThan(0);

    rmSync(filler);
    // Asked twice a second: each look opens the relay's store beside the relay's own connection.
    await until(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return (await held()).count === 0;
      },
      90_000,
      'the backlog drained once room was freed',
    );
    const stopped = await listener.stop();
    expect(stopped.exitCode).toBe(0);

    const kept = keptIds(disk.dir);
    for (const id of ids)
      expect(
        kept.filter((x) => x === id),
        id,
      ).toHaveLength(1);
  }, 180_000);
});
