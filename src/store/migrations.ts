/**
 * Versioned schema of the history database. `PRAGMA user_version` holds how many of these
 * have run; append new ones, never edit old ones.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the delivery history.
  `CREATE TABLE deliveries (
     id INTEGER PRIMARY KEY,
     direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
     source TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     event TEXT,
     delivery_id TEXT,
     method TEXT NOT NULL,
     url TEXT NOT NULL,
     remote_address TEXT,
     request_headers TEXT NOT NULL,
     request_body BLOB NOT NULL,
     status INTEGER,
     response_headers TEXT,
     response_body BLOB,
     duration_ms REAL,
     error TEXT,
     signature_valid INTEGER,
     signature_error TEXT,
     duplicate INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX deliveries_delivery_id ON deliveries (delivery_id);`,
  // 2: replays link to what they re-send; indexes for the history filters (newest first).
  `ALTER TABLE deliveries ADD COLUMN replay_of TEXT;
   CREATE INDEX deliveries_event ON deliveries (event, id);
   CREATE INDEX deliveries_status ON deliveries (status, id);
   CREATE INDEX deliveries_invalid ON deliveries (signature_valid, id);`,
  // 3: the schema verdict of a received delivery (`listen --validate`); null when not checked.
  `ALTER TABLE deliveries ADD COLUMN schema_valid INTEGER;
   ALTER TABLE deliveries ADD COLUMN schema_errors TEXT;
   CREATE INDEX deliveries_schema_invalid ON deliveries (schema_valid, id);`,
  // 4: which route of `listen --forward-to` took a received request, and whether one did.
  `ALTER TABLE deliveries ADD COLUMN route TEXT;
   ALTER TABLE deliveries ADD COLUMN forwarded INTEGER;`,
  // 5: the failing-status, invalid-signature and broken-schema filters match few rows: partial
  //    indexes of just those, which the many good rows cost nothing to write (listen inserts
  //    thousands a second). A 2xx status filter matches most rows and needs no index.
  `DROP INDEX deliveries_invalid;
   DROP INDEX deliveries_schema_invalid;
   DROP INDEX deliveries_status;
   CREATE INDEX deliveries_failing_status ON deliveries (status, id) WHERE status NOT BETWEEN 200 AND 299;
   CREATE INDEX deliveries_signature_invalid ON deliveries (id) WHERE signature_valid = 0;
   CREATE INDEX deliveries_schema_broken ON deliveries (id) WHERE schema_valid = 0;`,
  // 6: the doctor's verdict on the app behind a route, on the deliveries it rejected though
  //    `listen --forward-to` had verified their signature.
  `ALTER TABLE deliveries ADD COLUMN diagnosis TEXT;`,
  // 7: the address the listener was serving when it received a request: where a replay without
  //    --to goes (never an address taken from the request's own Host header).
  `ALTER TABLE deliveries ADD COLUMN listener_url TEXT;`,
  // 8: the spool files imported, written in the same transaction as their records: a process
  //    killed between that commit and deleting the file leaves a file the next import skips.
  `CREATE TABLE spool_imports (
     file TEXT PRIMARY KEY,
     records INTEGER NOT NULL,
     imported_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // 9: how long a relay held a received delivery before handing it over (null: it came live), and
  //    whether `listen --app-down hold` still keeps it for an app that was down (1) or passed it
  //    on (0; null: never held). Few rows are held at once: a partial index finds them.
  `ALTER TABLE deliveries ADD COLUMN held_ms INTEGER;
   ALTER TABLE deliveries ADD COLUMN app_held INTEGER;
   CREATE INDEX deliveries_app_held ON deliveries (id) WHERE app_held = 1;`,
];
