/**
 * Resolves a setting: flag beats environment beats stored config beats default.
 * Reads the stored config file directly (conf's plain JSON) so no command pays for loading conf
 * just to read a value; `config set` writes it through conf.
 */
import { readFileSync } from 'node:fs';
import { configFilePath, defaultDatabasePath } from './paths.js';

export const SETTINGS = {
  'api-url': { env: 'WEBHOOKS_API_URL', description: 'base URL of the platform API', secret: false },
  token: { env: 'WEBHOOKS_API_TOKEN', description: 'API token (sent as a bearer token)', secret: true },
  secret: { env: 'WEBHOOKS_SECRET', description: 'default webhook signing secret', secret: true },
  db: { env: 'WEBHOOKS_DB', description: 'path of the history database', secret: false },
  'relay-key': { env: 'WEBHOOKS_RELAY_KEY', description: 'access key that `listen --relay` presents to the relay (rk_…)', secret: true },
} as const;

export type SettingName = keyof typeof SETTINGS;

export const DEFAULT_API_URL = 'http://127.0.0.1:4010';

/**
 * The stored config file's values; an unreadable or corrupt file counts as empty. Read afresh each
 * time (a small file, a few reads a run): one process may run several commands (tests do).
 */
export function storedSettings(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(configFilePath(env), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Where a resolved setting came from, for messages such as "using the secret from WEBHOOKS_SECRET". */
export type SettingSource = 'flag' | 'env' | 'config';

export function resolveSettingWithSource(name: SettingName, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { value: string; source: SettingSource } | undefined {
  if (flag !== undefined && flag !== '') return { value: flag, source: 'flag' };
  const fromEnv = env[SETTINGS[name].env];
  if (fromEnv) return { value: fromEnv, source: 'env' };
  const fromFile = storedSettings(env)[name];
  return typeof fromFile === 'string' && fromFile !== '' ? { value: fromFile, source: 'config' } : undefined;
}

export function resolveSetting(name: SettingName, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return resolveSettingWithSource(name, flag, env)?.value;
}

export function resolveDatabasePath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolveSetting('db', flag, env) ?? defaultDatabasePath(env);
}

export function resolveApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolveSetting('api-url', flag, env) ?? DEFAULT_API_URL;
}
