/**
 * Moves WAL checkpoints off a busy writer's thread. SQLite's writer copies the WAL back into the
 * database itself every 1,000 pages, inside a commit: for `listen` under load that is a few
 * microseconds a request spent on the event loop. With a checkpointer, a worker thread does that
 * copying on its own connection right after each commit (PASSIVE: it neither waits for nor blocks
 * the writer), so the WAL is fully copied before the next batch and SQLite starts it over from
 * the beginning. The writer's own automatic checkpoint moves out to `FALLBACK_PAGES`, reached
 * only if the worker falls behind or dies: the WAL stays bounded either way.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointer {
  /** The writer committed: copy the WAL back soon (coalesced while a checkpoint runs). */
  afterCommit(): void;
  /** Stops the worker and closes its connection, so the writer's own close can remove the WAL. */
  stop(): Promise<void>;
}

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database. */
  log: number;
  checkpointed: number;
}

/** The writer's own checkpoint threshold while a worker checkpoints (pages of 4 KiB: 64 MiB). */
export const FALLBACK_PAGES = 16_384;
/** SQLite's default, restored when the worker is gone. */
const DEFAULT_PAGES = 1_000;

// The worker's whole program. Inline (not a file beside this one) so it runs the same from the
// build and from the sources under test; better-sqlite3 is resolved here, where the package is.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
parentPort.on('message', (message) => {
  if (message === 'stop') { db.close(); process.exit(0); }
  let result = null;
  try { result = checkpoint.get(); } catch { /* busy: the next commit asks again */ }
  parentPort.postMessage(result);
});
`;

/**
 * Starts the worker for the SQLite file at `path`; `setWriterPages(pages)` sets the writer's own
 * threshold. `onCheckpoint` hears each checkpoint's result.
 */
export function startWalCheckpointer(path: string, setWriterPages: (pages: number) => void, onCheckpoint?: (result: CheckpointResult | null) => void): WalCheckpointer {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, sqlite } });
  worker.unref();
  setWriterPages(FALLBACK_PAGES);
  let running = false;
  let wanted = false;
  let stopping: Promise<void> | undefined;
  worker.on('message', (result: CheckpointResult | null) => {
    onCheckpoint?.(result);
    running = wanted && !stopping;
    wanted = false;
    if (running) worker.postMessage('checkpoint');
  });
  // A worker that cannot open the file, or dies, leaves the writer to checkpoint as before.
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping) {
        stopping = Promise.resolve();
        try {
          setWriterPages(DEFAULT_PAGES);
        } catch {
          // The writer's file is closed already: nothing left to checkpoint.
        }
      }
      resolve();
    }),
  );
  return {
    afterCommit() {
      if (stopping) return;
      if (running) return void (wanted = true);
      running = true;
      worker.postMessage('checkpoint');
    },
    stop: () =>
      (stopping ??= (async () => {
        worker.postMessage('stop');
        const late = setTimeout(() => void worker.terminate(), 1_000);
        await exited;
        clearTimeout(late);
      })()),
  };
}
