/**
 * Remembers the relay channel a listener was given, so `listen --relay` keeps the same public
 * webhook URL across restarts: `relay-channels.json` in the config directory, one entry per
 * relay URL, owner-only, written atomically. Delete an entry (or the file) to get a new channel.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configDirectory } from '../config/paths.js';
import { fileSystemError } from '../errors.js';
import { isWellFormedChannelId, isWellFormedToken } from './channel-token.js';
import type { ChannelCredentials } from './tunnel-client.js';

export function channelStorePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDirectory(env), 'relay-channels.json');
}

export class ChannelStore {
  constructor(readonly path: string = channelStorePath()) {}

  /** The stored channel for `relayUrl`, or undefined (also for an unreadable or damaged file). */
  load(relayUrl: string): ChannelCredentials | undefined {
    const entry = this.readAll()[relayUrl];
    if (!entry || typeof entry !== 'object') return undefined;
    const { channel, token, publicUrl } = entry as Record<string, unknown>;
    if (typeof channel !== 'string' || typeof token !== 'string' || !isWellFormedChannelId(channel) || !isWellFormedToken(token)) return undefined;
    return { channel, token, publicUrl: typeof publicUrl === 'string' ? publicUrl : undefined };
  }

  save(relayUrl: string, credentials: ChannelCredentials): void {
    const all = this.readAll();
    all[relayUrl] = { ...credentials, savedAt: new Date().toISOString() };
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileSync(temporary, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
      renameSync(temporary, this.path);
    } catch (err) {
      throw fileSystemError(err, this.path, 'store the relay channel in', 'make the config directory writable (or set WEBHOOKS_CONFIG_DIR)');
    }
  }

  private readAll(): Record<string, unknown> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
}
