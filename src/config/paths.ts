/** Where the tool keeps its files: one folder in the user's config directory. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function configDirectory(env: NodeJS.ProcessEnv): string {
  if (env.WEBHOOKS_CONFIG_DIR) return env.WEBHOOKS_CONFIG_DIR;
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'webhooks-cli');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'webhooks-cli');
}

export function configFilePath(env: NodeJS.ProcessEnv): string {
  return join(configDirectory(env), 'config.json');
}

export function defaultDatabasePath(env: NodeJS.ProcessEnv): string {
  return join(configDirectory(env), 'history.db');
}
