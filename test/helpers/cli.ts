/** Spawns the built CLI with execa, in an isolated config folder, never throwing on exit codes. */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options, type ResultPromise } from 'execa';

export const BIN = fileURLToPath(new URL('../../dist/webhooks-cli.cjs', import.meta.url));

/** A fresh folder for one test's config and history (below the run's root: test/global-setup.ts). */
export function tempDir(prefix = 'webhooks-cli-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A developer's own proxy settings must not route the tests' loopback requests (empty counts as unset). */
const NO_PROXY_SETTINGS = {
  HTTP_PROXY: '',
  http_proxy: '',
  HTTPS_PROXY: '',
  https_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

/** Environment that isolates the CLI from the user's config, proxies and CI detection. */
export function isolatedEnv(configDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    WEBHOOKS_CONFIG_DIR: configDir,
    NO_COLOR: '1',
    CI: '',
    WEBHOOKS_DB: '',
    WEBHOOKS_SECRET: '',
    WEBHOOKS_API_URL: '',
    WEBHOOKS_API_TOKEN: '',
    WEBHOOKS_PROFILE: '',
    WEBHOOKS_RELAY_KEY: '',
    WEBHOOKS_RELAY_KEYS: '',
    WEBHOOKS_RELAY_REDIS: '',
    ...NO_PROXY_SETTINGS,
    ...extra,
  };
}

/** Spawns the built binary (for what only a process shows: signals, a terminal, start-up loading). */
export function spawnCli(args: string[], options: Options & { configDir?: string; env?: Record<string, string> } = {}) {
  const configDir = options.configDir ?? tempDir();
  const { configDir: _c, env, ...rest } = options;
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: isolatedEnv(configDir, env),
    extendEnv: true,
    ...rest,
  }) as ResultPromise<{ reject: false }>;
}
