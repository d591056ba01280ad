/**
 * Versioned schema of the emulator's own database (webhooks, deliveries, attempts), separate
 * from the history database. `PRAGMA user_version` holds how many have run; append, never edit.
 */
export const EMULATOR_MIGRATIONS: readonly string[] = [
  // 1: registered webhooks, the deliveries the engine owes them, and every attempt made.
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
     id TEXT PRIMARY KEY,
     webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
     event TEXT NOT NULL,
     body BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'skipped')),
     attempts_made INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER,
     state_reason TEXT
   );
   CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
   CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at);
   CREATE TABLE attempts (
     id INTEGER PRIMARY KEY,
     delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
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
   CREATE INDEX attempts_delivery ON attempts (delivery_id);`,
];
