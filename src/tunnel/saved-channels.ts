/**
 * Remembers the relay channel a listener was given, so `listen --relay` keeps the same public
 * webhook URL across restarts: `relay-channels.json` in the config directory, one entry per
 * relay URL (and per `--relay-channel NAME`), owner-only, written atomically. Delete an entry
 * (or the file) to get a new channel.
 */
import { join } from 'node:path';
import { readJsonObject, writeOwnerOnlyJson } from '../config/owner-only-file.js';
import { configDirectory } from '../config/paths.js';
import { fileSystemError } from '../errors.js';
import { isWellFormedChannelId, isWellFormedToken } from './channel-token.js';
import type { ChannelCredentials } from './tunnel-client.js';

export function channelStorePath(env: NodeJS.ProcessEnv): string {
  return join(configDirectory(env), 'relay-channels.json');
}

/** The store's entry for a relay URL: the URL itself, or `URL#NAME` for `--relay-channel NAME`. */
export function channelEntryName(relayUrl: string, channelName?: string): string {
  return channelName ? `${relayUrl}#${channelName}` : relayUrl;
}

export class ChannelStore {
  constructor(readonly path: string) {}

  /** The stored channel of `entryName` (see channelEntryName), or undefined (also for an unreadable or damaged file). */
  load(entryName: string): ChannelCredentials | undefined {
    const entry = this.readAll()[entryName];
    if (!entry || typeof entry !== 'object') return undefined;
    const { channel, token, publicUrl } = entry as Record<string, unknown>;
    if (
      typeof channel !== 'string' ||
      typeof token !== 'string' ||
      !isWellFormedChannelId(channel) ||
      !isWellFormedToken(token)
    )
      return undefined;
    return { channel, token, publicUrl: typeof publicUrl === 'string' ? publicUrl : undefined };
  }

  save(entryName: string, credentials: ChannelCredentials): void {
    const all = this.readAll();
    all[entryName] = { ...credentials, savedAt: new Date().toISOString() };
    try {
      writeOwnerOnlyJson(this.path, all);
    } catch (err) {
      throw fileSystemError(
        err,
        this.path,
        'store the relay channel in',
        'make the config directory writable (or set WEBHOOKS_CONFIG_DIR)',
      );
    }
  }

  private readAll(): Record<string, unknown> {
    return readJsonObject(this.path);
  }
}
