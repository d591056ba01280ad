/**
 * Where a relay's held deliveries live, as `relay`, `relay held …` and `relay keys revoke` find
 * them: Redis Streams with `--redis`, otherwise `relay-held.db` in `--data-dir` (default: the
 * config directory). Each store's module, and its client (better-sqlite3 or ioredis), is loaded
 * only when that store is opened.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configDirectory } from '../config/paths.js';
import { HOLD_FILE_NAME, type HoldStore } from '../store/hold-store.js';

export interface HoldLocation {
  /** `--data-dir`; undefined: the config directory. */
  dataDir?: string;
  /** `--redis` (or WEBHOOKS_RELAY_REDIS), already checked. */
  redisUrl?: string;
  env: NodeJS.ProcessEnv;
}

export function holdFilePath({ dataDir, env }: HoldLocation): string {
  return join(dataDir ?? configDirectory(env), HOLD_FILE_NAME);
}

/**
 * Opens the hold store; with `existing`, only one that is already there (SQLite: the file exists),
 * so reading or dropping creates no folder and no file — undefined otherwise.
 */
export async function openHoldStore(
  location: HoldLocation,
  { existing = false }: { existing?: boolean } = {},
): Promise<HoldStore | undefined> {
  if (location.redisUrl) {
    const { RedisHoldStore } = await import('../store/redis-hold-store.js');
    return RedisHoldStore.open(location.redisUrl);
  }
  if (existing && !existsSync(holdFilePath(location))) return undefined;
  const { SqliteHoldStore } = await import('../store/sqlite-hold-store.js');
  return SqliteHoldStore.open(location.dataDir ?? configDirectory(location.env));
}
