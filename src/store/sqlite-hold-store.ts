/**
 * The hold store of a single relay: one SQLite file (WAL) in `--data-dir`. Holds arriving in the
 * same turn of the event loop are written in one transaction (group commit), with
 * `synchronous = FULL`, so a delivery answered 202 is on disk — a killed relay or a power cut
 * takes nothing answered. `relay held list|drop` and `relay keys revoke` open the same file from
 * another process; the running totals live in the file, so they stay right.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { GroupCommit } from '../core/group-commit.js';
import { HOLD_MIGRATIONS } from './hold-migrations.js';
import {
  type ChannelHolding,
  type HeldDelivery,
  HOLD_FILE_NAME,
  type HoldLimits,
  type HoldOutcome,
  type HoldStore,
  type KnownChannel,
  type NewHeldDelivery,
} from './hold-store.js';
import { runMigrations } from './schema-migrations.js';
import { openSqliteFile } from './sqlite-file.js';

interface HeldRow {
  seq: number;
  channel: string;
  received_at: number;
  method: string;
  path: string;
  headers: string;
  remote_address: string | null;
  body: Buffer;
}

const FILE_OPTIONS = {
  what: 'relay hold database',
  fix: 'pass --data-dir with another folder',
  busyTimeoutMs: 5_000,
};

export class SqliteHoldStore implements HoldStore {
  readonly kind = 'sqlite';
  readonly up = true;
  readonly location: string;
  readonly #db: Database.Database;
  readonly #commit: GroupCommit<{ delivery: NewHeldDelivery; limits: HoldLimits }, HoldOutcome>;
  readonly #take: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #isKnown: Database.Statement;
  readonly #remember: Database.Statement;
  readonly #read: Database.Statement;
  readonly #readFromStart: Database.Statement;
  readonly #removeOne: Database.Statement;
  readonly #release: Database.Statement;
  readonly #oldest: Database.Statement;
  readonly #totals: Database.Statement;

  private constructor(path: string, db: Database.Database) {
    this.location = path;
    this.#db = db;
    this.#take = db.prepare(
      `UPDATE channels SET held_count = held_count + 1, held_bytes = held_bytes + @size
       WHERE channel = @channel AND held_count < @maxCount AND held_bytes + @size <= @maxBytes`,
    );
    this.#insert = db.prepare(
      `INSERT INTO held (channel, received_at, method, path, headers, remote_address, body) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#isKnown = db.prepare('SELECT key_sha256 AS keySha256 FROM channels WHERE channel = ?');
    this.#remember = db.prepare(
      `INSERT INTO channels (channel, key_sha256, remembered_at) VALUES (?, ?, ?)
       ON CONFLICT (channel) DO UPDATE SET key_sha256 = excluded.key_sha256, remembered_at = excluded.remembered_at`,
    );
    this.#read = db.prepare('SELECT * FROM held WHERE channel = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.#readFromStart = db.prepare('SELECT * FROM held WHERE channel = ? ORDER BY seq LIMIT ?');
    this.#removeOne = db.prepare('DELETE FROM held WHERE channel = ? AND seq = ? RETURNING length(body) AS size');
    this.#release = db.prepare(
      'UPDATE channels SET held_count = held_count - ?, held_bytes = held_bytes - ? WHERE channel = ?',
    );
    this.#oldest = db.prepare('SELECT received_at FROM held WHERE channel = ? ORDER BY seq LIMIT 1').pluck();
    this.#totals = db.prepare('SELECT held_count AS count, held_bytes AS bytes FROM channels WHERE channel = ?');
    this.#commit = new GroupCommit((items) => this.#holdAll(items));
  }

  /** Opens (creating and migrating as needed) `relay-held.db` in `dataDir`. */
  static open(dataDir: string): SqliteHoldStore {
    const path = join(dataDir, HOLD_FILE_NAME);
    const db = openSqliteFile(path, FILE_OPTIONS);
    try {
      // Every commit reaches the disk before its 202 is sent (WAL: one fsync per group commit).
      db.pragma('synchronous = FULL');
      runMigrations(db, HOLD_MIGRATIONS, FILE_OPTIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteHoldStore(path, db);
  }

  async remember(channel: string, keySha256: string | null): Promise<void> {
    this.#remember.run(channel, keySha256, Date.now());
  }

  async known(channel: string): Promise<KnownChannel | undefined> {
    return this.#isKnown.get(channel) as KnownChannel | undefined;
  }

  hold(delivery: NewHeldDelivery, limits: HoldLimits): Promise<HoldOutcome> {
    return this.#commit.add({ delivery, limits });
  }

  #holdAll(items: Array<{ delivery: NewHeldDelivery; limits: HoldLimits }>): HoldOutcome[] {
    return this.#db.transaction(() =>
      items.map(({ delivery: d, limits }): HoldOutcome => {
        const taken = this.#take.run({
          channel: d.channel,
          size: d.body.length,
          maxCount: limits.maxCount,
          maxBytes: limits.maxBytes,
        });
        if (taken.changes === 0) return { held: false, reason: this.#isKnown.get(d.channel) ? 'full' : 'unknown' };
        const { lastInsertRowid } = this.#insert.run(
          d.channel,
          d.receivedAt,
          d.method,
          d.path,
          JSON.stringify(d.headers),
          d.remoteAddress,
          d.body,
        );
        return { held: true, seq: String(lastInsertRowid) };
      }),
    )();
  }

  async read(channel: string, afterSeq: string | undefined, limit: number): Promise<HeldDelivery[]> {
    const rows = (
      afterSeq === undefined
        ? this.#readFromStart.all(channel, limit)
        : this.#read.all(channel, Number(afterSeq), limit)
    ) as HeldRow[];
    return rows.map(toDelivery);
  }

  async remove(channel: string, seqs: readonly string[]): Promise<number> {
    // Forgetting need not wait for the disk: one a power cut brings back is sent again, and the
    // listener knows its delivery id. Only holds are worth an fsync each.
    return this.#lightly(() => this.#removeAll(channel, seqs));
  }

  #removeAll(channel: string, seqs: readonly string[]): number {
    return this.#db.transaction(() => {
      let count = 0;
      let bytes = 0;
      for (const seq of seqs) {
        const row = this.#removeOne.get(channel, Number(seq)) as { size: number } | undefined;
        if (!row) continue;
        count += 1;
        bytes += row.size;
      }
      if (count) this.#release.run(count, bytes, channel);
      return count;
    })();
  }

  /** Runs `work` with commits that do not wait for the disk (synchronous = NORMAL), then back to FULL. */
  #lightly<T>(work: () => T): T {
    this.#db.pragma('synchronous = NORMAL');
    try {
      return work();
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  async expire(before: number, channel?: string): Promise<Array<{ channel: string; count: number }>> {
    const only = channel === undefined ? '' : 'AND channel = @channel';
    const params = { before, channel };
    return this.#db.transaction(() => {
      const gone = this.#db
        .prepare(
          `SELECT channel, count(*) AS count, sum(length(body)) AS bytes FROM held WHERE received_at < @before ${only} GROUP BY channel`,
        )
        .all(params) as Array<{ channel: string; count: number; bytes: number }>;
      if (gone.length === 0) return [];
      this.#db.prepare(`DELETE FROM held WHERE received_at < @before ${only}`).run(params);
      for (const g of gone) this.#release.run(g.count, g.bytes, g.channel);
      return gone.map(({ channel, count }) => ({ channel, count }));
    })();
  }

  async holding(channel: string): Promise<ChannelHolding> {
    const totals = this.#totals.get(channel) as { count: number; bytes: number } | undefined;
    const oldestAt = (this.#oldest.get(channel) as number | undefined) ?? null;
    return { channel, count: totals?.count ?? 0, bytes: totals?.bytes ?? 0, oldestAt };
  }

  async list(): Promise<ChannelHolding[]> {
    return this.#db
      .prepare(
        `SELECT channel, held_count AS count, held_bytes AS bytes,
           (SELECT received_at FROM held h WHERE h.channel = c.channel ORDER BY seq LIMIT 1) AS oldestAt
         FROM channels c WHERE held_count > 0 ORDER BY oldestAt`,
      )
      .all() as ChannelHolding[];
  }

  async drop(channel: string): Promise<number> {
    return this.#db.transaction(() => {
      const { changes } = this.#db.prepare('DELETE FROM held WHERE channel = ?').run(channel);
      this.#db.prepare('UPDATE channels SET held_count = 0, held_bytes = 0 WHERE channel = ?').run(channel);
      return changes;
    })();
  }

  async knownChannels(): Promise<Array<{ channel: string } & KnownChannel>> {
    return this.#db.prepare('SELECT channel, key_sha256 AS keySha256 FROM channels').all() as Array<
      { channel: string } & KnownChannel
    >;
  }

  async close(): Promise<void> {
    this.#commit.flush();
    if (this.#db.open) this.#db.close();
  }
}

function toDelivery(row: HeldRow): HeldDelivery {
  return {
    seq: String(row.seq),
    channel: row.channel,
    method: row.method,
    path: row.path,
    headers: JSON.parse(row.headers) as HeldDelivery['headers'],
    remoteAddress: row.remote_address,
    receivedAt: row.received_at,
    body: row.body,
  };
}
