/**
 * The stored settings file, written through conf (atomic writes, owner-only file) in a folder
 * created owner-only on first use. Reading a single value for a command goes through
 * `settings.ts`, which skips loading conf.
 */
import { mkdirSync } from 'node:fs';
import Conf from 'conf';
import { fileSystemError } from '../errors.js';
import { configDirectory, configFilePath } from './paths.js';
import type { SettingName } from './settings.js';

/** One profile's view of the settings file: the default profile (the top level) or `profiles.<name>`. */
export interface SettingsFile {
  readonly path: string;
  get(name: SettingName): string | undefined;
  set(name: SettingName, value: string): void;
  unset(name: SettingName): void;
}

/** Opens (creating its folder if need be) the settings file; an unusable folder is one clear error. */
export function openSettingsFile(env: NodeJS.ProcessEnv, profile?: string): SettingsFile {
  let conf: Conf<Record<string, string>>;
  try {
    mkdirSync(configDirectory(env), { recursive: true, mode: 0o700 });
    conf = new Conf<Record<string, string>>({
      projectName: 'webhooks-cli',
      cwd: configDirectory(env),
      configName: 'config',
      configFileMode: 0o600,
    });
  } catch (err) {
    throw fileSystemError(
      err,
      configDirectory(env),
      'open the config in',
      'set WEBHOOKS_CONFIG_DIR to a writable folder',
    );
  }
  // Profile names are checked (no dots), so conf's dotted paths address them exactly.
  const key = (name: SettingName) => (profile === undefined ? name : `profiles.${profile}.${name}`);
  return {
    path: configFilePath(env),
    get: (name) => conf.get(key(name)),
    set: (name, value) => conf.set(key(name), value),
    unset: (name) => conf.delete(key(name)),
  };
}
