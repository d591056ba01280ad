/** `listen --relay` as a real process, its stderr watched from the first byte. */
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { BIN, isolatedEnv, tempDir } from './cli.js';

export interface ListenProcess {
  configDir: string;
  dbPath: string;
  process: ResultPromise<{ reject: false }>;
  stderr: () => string;
  /** Waits for the n-th match of `pattern` on listen's stderr; returns its first group. */
  waitFor: (pattern: RegExp, occurrence?: number, timeoutMs?: number) => Promise<string>;
  stop: (signal?: NodeJS.Signals) => Promise<Awaited<ResultPromise<{ reject: false }>>>;
}

export interface SpawnListenOptions {
  secret?: string;
  configDir?: string;
  env?: Record<string, string>;
}

/** `webhooks-cli listen --port 0 --no-tui --secret S --relay <wsUrl> …args`; the caller stops it. */
export function spawnListen(wsUrl: string, args: string[] = [], options: SpawnListenOptions = {}): ListenProcess {
  const configDir = options.configDir ?? tempDir();
  const child = execa(
    process.execPath,
    [BIN, 'listen', '--port', '0', '--no-tui', '--secret', options.secret ?? 's3cret', '--relay', wsUrl, ...args],
    {
      reject: false,
      env: isolatedEnv(configDir, options.env),
      extendEnv: true,
      timeout: 90_000,
    },
  ) as ResultPromise<{ reject: false }>;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    configDir,
    dbPath: join(configDir, 'history.db'),
    process: child,
    stderr: () => stderr,
    waitFor: async (pattern, occurrence = 1, timeoutMs = 15_000) => {
      const global = new RegExp(pattern.source, 'g');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matches = [...stderr.matchAll(global)];
        if (matches.length >= occurrence) return matches[occurrence - 1]![1] ?? matches[occurrence - 1]![0];
        if (Date.now() > deadline) throw new Error(`no ${pattern} in listen's output:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return await child;
    },
  };
}
