/**
 * Versioned schema of the relay's hold file (`relay-held.db` in `--data-dir`). `PRAGMA
 * user_version` holds how many of these have run; append new ones, never edit old ones.
 */
export const HOLD_MIGRATIONS: readonly string[] = [
  // 1: the channels listeners have held (with the key each was admitted with, and running totals
  //    of what it holds, so a limit is checked without counting rows) and the held deliveries.
  //    AUTOINCREMENT: a sequence number is never reused, so a drain's cursor never skips one.
  `CREATE TABLE channels (
     channel TEXT PRIMARY KEY,
     key_sha256 TEXT,
     remembered_at INTEGER NOT NULL,
     held_count INTEGER NOT NULL DEFAULT 0,
     held_bytes INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE held (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     channel TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     method TEXT NOT NULL,
     path TEXT NOT NULL,
     headers TEXT NOT NULL,
     remote_address TEXT,
     body BLOB NOT NULL
   );
   CREATE INDEX held_channel ON held (channel, seq);
   CREATE INDEX held_received ON held (received_at);`,
];
