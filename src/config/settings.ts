/**
 * Resolves a setting: flag beats environment beats the chosen profile beats the default profile
 * beats the built-in default. The default profile is the file's top level (as before profiles);
 * named ones live under `profiles.<name>`. The chosen profile is `WEBHOOKS_PROFILE` in the
 * environment a command runs with (`--profile` sets it there, see cli/context.ts).
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
  'relay-key': {
    env: 'WEBHOOKS_RELAY_KEY',
    description: 'access key that `listen --relay` presents to the relay (rk_…)',
    secret: true,
  },
} as const;

export type SettingName = keyof typeof SETTINGS;

export const DEFAULT_API_URL = 'http://127.0.0.1:4010';

/**
 * The stored config file's values; an unreadable or corrupt file counts as empty. Read afresh each
 * time (a small file, a few reads a run): one process may run several commands (tests do).
 */
export function storedSettings(env: NodeJS.ProcessEnv): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(configFilePath(env), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
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
export function profileSettings(stored: Record<string, unknown>, profile: string | undefined): Record<string, unknown> {
  if (profile === undefined) return stored;
  const profiles = stored.profiles;
  const one =
    typeof profiles === 'object' && profiles !== null ? (profiles as Record<string, unknown>)[profile] : undefined;
  return typeof one === 'object' && one !== null ? (one as Record<string, unknown>) : {};
}

/** The named profiles stored in the file. */
export function storedProfiles(env: NodeJS.ProcessEnv): string[] {
  const profiles = storedSettings(env).profiles;
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
  env: NodeJS.ProcessEnv,
): { value: string; source: SettingSource } | undefined {
  if (flag !== undefined && flag !== '') return { value: flag, source: 'flag' };
  const fromEnv = env[SETTINGS[name].env];
  if (fromEnv) return { value: fromEnv, source: 'env' };
  const stored = storedSettings(env);
  const profile = chosenProfile(env);
  const fromProfile = profile === undefined ? undefined : profileSettings(stored, profile)[name];
  if (typeof fromProfile === 'string' && fromProfile !== '') return { value: fromProfile, source: 'profile' };
  const fromFile = stored[name];
  return typeof fromFile === 'string' && fromFile !== '' ? { value: fromFile, source: 'config' } : undefined;
}

export function resolveSetting(
  name: SettingName,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  return resolveSettingWithSource(name, flag, env)?.value;
}

export function resolveDatabasePath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolveSetting('db', flag, env) ?? defaultDatabasePath(env);
}

export function resolveApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolveSetting('api-url', flag, env) ?? DEFAULT_API_URL;
}
