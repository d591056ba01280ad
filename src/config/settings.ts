/**
 * Resolves a setting: flag beats environment beats the chosen profile beats the default profile
 * beats the built-in default. The default profile is the file's top level (as before profiles);
 * named ones live under `profiles.<name>`. The chosen profile is `WEBHOOKS_PROFILE` in the
 * environment a command runs with (`--profile` sets it there, see cli/context.ts).
 * The stored file is read once per command, through conf (config-store.ts), when the context is
 * made; resolving a setting reads that copy.
 */
import { existsSync } from 'node:fs';
import { configFilePath, defaultDatabasePath } from './paths.js';

export const SETTINGS = {
  'api-url': { env: 'WEBHOOKS_API_URL', description: 'base URL of the platform API', secret: false },
  token: { env: 'WEBHOOKS_API_TOKEN', description: 'API token (sent as a bearer token)', secret: true },
  secret: { env: 'WEBHOOKS_SECRET', description: 'default webhook signing secret', secret: true },
  db: { env: 'WEBHOOKS_DB', description: 'path of the history database', secret: false },
  'relay-key': {
    env: 'WEBHOOKS_RELAY_KEY',
    description: 'access key that `listen --relay` presents to the relay (rk_…)',
    secret: true,
  },
} as const;

export type SettingName = keyof typeof SETTINGS;

export const DEFAULT_API_URL = 'http://127.0.0.1:4010';

/** The stored settings file's values: the default profile's at the top level, `profiles.<name>` the others. */
export type StoredSettings = Record<string, unknown>;

/** What a setting resolves from: the run's environment and the stored file's values (a command's context has both). */
export interface SettingSources {
  env: NodeJS.ProcessEnv;
  storedSettings: StoredSettings;
}

/**
 * The stored settings file's values, read through conf; a damaged file is a one-line error naming
 * it. Without a file there is nothing to read, and conf is not loaded at all: most runs have no
 * file, and `trigger` starts faster without it.
 */
export async function readStoredSettings(env: NodeJS.ProcessEnv): Promise<StoredSettings> {
  if (!existsSync(configFilePath(env))) return {};
  const { readSettingsFile } = await import('./config-store.js');
  return readSettingsFile(env);
}

export const PROFILE_ENV = 'WEBHOOKS_PROFILE';
export const DEFAULT_PROFILE = 'default';
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

/** The named profile chosen for this run, or undefined for the default profile. */
export function chosenProfile(env: NodeJS.ProcessEnv): string | undefined {
  const name = env[PROFILE_ENV];
  return name && name !== DEFAULT_PROFILE ? name : undefined;
}

/** One profile's stored values (the default profile is the top level). */
export function profileSettings(stored: StoredSettings, profile: string | undefined): Record<string, unknown> {
  if (profile === undefined) return stored;
  const profiles = stored.profiles;
  const one =
    typeof profiles === 'object' && profiles !== null ? (profiles as Record<string, unknown>)[profile] : undefined;
  return typeof one === 'object' && one !== null ? (one as Record<string, unknown>) : {};
}

/** The named profiles stored in the file. */
export function storedProfiles({ storedSettings }: SettingSources): string[] {
  const profiles = storedSettings.profiles;
  return typeof profiles === 'object' && profiles !== null ? Object.keys(profiles) : [];
}

/**
 * Where a resolved setting came from, for messages such as "using the secret from
 * WEBHOOKS_SECRET": `config` is the default profile, `profile` the chosen one.
 */
export type SettingSource = 'flag' | 'env' | 'profile' | 'config';

export function resolveSettingWithSource(
  name: SettingName,
  flag: string | undefined,
  { env, storedSettings: stored }: SettingSources,
): { value: string; source: SettingSource } | undefined {
  if (flag !== undefined && flag !== '') return { value: flag, source: 'flag' };
  const fromEnv = env[SETTINGS[name].env];
  if (fromEnv) return { value: fromEnv, source: 'env' };
  const profile = chosenProfile(env);
  const fromProfile = profile === undefined ? undefined : profileSettings(stored, profile)[name];
  if (typeof fromProfile === 'string' && fromProfile !== '') return { value: fromProfile, source: 'profile' };
  const fromFile = stored[name];
  return typeof fromFile === 'string' && fromFile !== '' ? { value: fromFile, source: 'config' } : undefined;
}

export function resolveSetting(
  name: SettingName,
  flag: string | undefined,
  sources: SettingSources,
): string | undefined {
  return resolveSettingWithSource(name, flag, sources)?.value;
}

export function resolveDatabasePath(flag: string | undefined, sources: SettingSources): string {
  return resolveSetting('db', flag, sources) ?? defaultDatabasePath(sources.env);
}

export function resolveApiUrl(flag: string | undefined, sources: SettingSources): string {
  return resolveSetting('api-url', flag, sources) ?? DEFAULT_API_URL;
}
