/** Spawns the built CLI with execa, in an isolated config folder, never throwing on exit codes. */
import { execa, type Options, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/webhooks-cli.cjs', import.meta.url));

const made: string[] = [];
// Removed when the test worker exits; a failing run's folders go too (rerun to inspect).
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder for one test's config and history, removed when the test worker exits. */
export function tempDir(prefix = 'webhooks-cli-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Environment that isolates the CLI from the user's config and from CI detection. */
export function isolatedEnv(configDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { WEBHOOKS_CONFIG_DIR: configDir, NO_COLOR: '1', CI: '', WEBHOOKS_DB: '', WEBHOOKS_SECRET: '', WEBHOOKS_API_URL: '', WEBHOOKS_API_TOKEN: '', ...extra };
}

export function runCli(args: string[], options: Options & { configDir?: string; env?: Record<string, string> } = {}) {
  const configDir = options.configDir ?? tempDir();
  const { configDir: _c, env, ...rest } = options;
  return execa(process.execPath, [BIN, ...args], { reject: false, env: isolatedEnv(configDir, env), extendEnv: true, ...rest }) as ResultPromise<{ reject: false }>;
}
