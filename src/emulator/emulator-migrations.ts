/**
 * Versioned schema of the emulator's own database (webhooks, deliveries, attempts), separate
 * from the history database. `PRAGMA user_version` holds how many have run; append, never edit.
 */
export const EMULATOR_MIGRATIONS: readonly string[] = [
  // 1: registered webhooks, the deliveries the engine owes them, and every attempt made.
  // Deliveries have a sequence number besides their (random, 96-bit) id: attempts point at it
  // and the engine updates by it, so writes append to pages instead of landing all over a
  // random-key index. Nothing looks a delivery up by id, so that column has no index.
  `CREATE TABLE webhooks (
     id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     events TEXT NOT NULL,
     secret TEXT NOT NULL,
     active INTEGER NOT NULL,
     debug_mode INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     consecutive_failures INTEGER NOT NULL DEFAULT 0,
     disabled_reason TEXT,
     disabled_at INTEGER
   );
   CREATE TABLE deliveries (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL,
     webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
     event TEXT NOT NULL,
     body BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'skipped')),
     attempts_made INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER,
     state_reason TEXT
   );
   CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
   CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at);
   CREATE TABLE attempts (
     id INTEGER PRIMARY KEY,
     delivery_seq INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
     webhook_id TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     succeeded INTEGER NOT NULL,
     response_status INTEGER,
     duration_ms REAL NOT NULL,
     error TEXT,
     request_headers TEXT,
     request_body BLOB,
     response_headers TEXT,
     response_body BLOB
   );
   CREATE INDEX attempts_webhook ON attempts (webhook_id, id);
   CREATE INDEX attempts_delivery ON attempts (delivery_seq);`,
  // 2: what a pending retry's due time is computed from — the end of the failed attempt and the
  // delay before the retry, unscaled — so a restart with another --time-scale reschedules it.
  // Rows from before stay NULL and keep their due time.
  `ALTER TABLE deliveries ADD COLUMN retry_from INTEGER;
   ALTER TABLE deliveries ADD COLUMN retry_delay_ms INTEGER;`,
  // 3: when a delivery was skipped (its webhook disabled), so the listing shows it at that time;
  // indexes that give a webhook's listing newest first by the time each row shows.
  `ALTER TABLE deliveries ADD COLUMN skipped_at INTEGER;
   CREATE INDEX deliveries_open ON deliveries (webhook_id, coalesce(next_attempt_at, skipped_at, created_at)) WHERE state IN ('pending', 'skipped');
   CREATE INDEX attempts_webhook_time ON attempts (webhook_id, started_at);`,
  // 4: injected duplicates (`serve --duplicates`). copy_planned marks a delivery to be sent
  // again after its first attempt; the copy is a row of its own with the same id, pointing at
  // its original through copy_of. Both are kept in the file, so a restart loses neither.
  `ALTER TABLE deliveries ADD COLUMN copy_planned INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE deliveries ADD COLUMN copy_of INTEGER;`,
  // 5: a webhook's version, counting the changes to its settings (each PATCH, the engine disabling
  //    it): its ETag, so a client's read-modify-write (`update --add-event`) can send If-Match.
  `ALTER TABLE webhooks ADD COLUMN version INTEGER NOT NULL DEFAULT 1;`,
];
