/**
 * The stored settings file, read and written through conf (atomic writes, an owner-only file) in
 * a folder created owner-only on first write. Commands read their settings once, through
 * `readStoredSettings()` in settings.ts; `config get/set/unset` open the file here.
 */
import { mkdirSync } from 'node:fs';
import Conf from 'conf';
import { fileSystemError, UserError } from '../errors.js';
import { configDirectory, configFilePath } from './paths.js';
import type { SettingName, StoredSettings } from './settings.js';

/** One profile's view of the settings file: the default profile (the top level) or `profiles.<name>`. */
export interface SettingsFile {
  readonly path: string;
  get(name: SettingName): string | undefined;
  set(name: SettingName, value: string): void;
  unset(name: SettingName): void;
}

/** The file's values (the default profile at the top level, the others under `profiles`). */
export function readSettingsFile(env: NodeJS.ProcessEnv): StoredSettings {
  return { ...openConf(env).store };
}

/** Opens (creating its folder if need be) the settings file; an unusable folder is one clear error. */
export function openSettingsFile(env: NodeJS.ProcessEnv, profile?: string): SettingsFile {
  try {
    mkdirSync(configDirectory(env), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fileSystemError(
      err,
      configDirectory(env),
      'open the config in',
      'set WEBHOOKS_CONFIG_DIR to a writable folder',
    );
  }
  const conf = openConf(env);
  // Profile names are checked (no dots), so conf's dotted paths address them exactly.
  const key = (name: SettingName) => (profile === undefined ? name : `profiles.${profile}.${name}`);
  return {
    path: configFilePath(env),
    get: (name) => {
      const value = conf.get(key(name));
      return typeof value === 'string' ? value : undefined;
    },
    set: (name, value) => conf.set(key(name), value),
    unset: (name) => conf.delete(key(name)),
  };
}

/** The file that is not a JSON object: conf reads it through this, so every reader sees the same rule. */
class DamagedSettings extends SyntaxError {}

function parseSettings(text: string): StoredSettings {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new DamagedSettings('it holds JSON, but not an object of settings');
  return parsed as StoredSettings;
}

/** conf on the settings file (conf reads it at once); a damaged or unreadable file is a one-line error naming it. */
function openConf(env: NodeJS.ProcessEnv): Conf<StoredSettings> {
  const path = configFilePath(env);
  try {
    return new Conf<StoredSettings>({
      projectName: 'webhooks-cli',
      cwd: configDirectory(env),
      configName: 'config',
      configFileMode: 0o600,
      deserialize: parseSettings,
    });
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new UserError(`the settings file ${path} is damaged: ${err.message}`, {
        hint: 'correct it, or delete it and store the settings again with `webhooks-cli config set`',
        cause: err,
      });
    }
    throw fileSystemError(err, path, 'read the settings file', 'check its permissions or set WEBHOOKS_CONFIG_DIR');
  }
}
