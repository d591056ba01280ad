/** Writes stored settings through conf (atomic writes, owner-only file). */
import Conf from 'conf';
import { configDirectory } from './paths.js';

export function openConfig(env: NodeJS.ProcessEnv = process.env): Conf<Record<string, string>> {
  return new Conf<Record<string, string>>({
    projectName: 'webhooks-cli',
    cwd: configDirectory(env),
    configName: 'config',
    configFileMode: 0o600,
  });
}
