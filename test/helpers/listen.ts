/** Starts the built `listen` command as a child process and waits until it accepts requests. */
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { BIN, isolatedEnv, tempDir } from './cli.js';
import { freePort } from './servers.js';

export interface RunningListener {
  url: string;
  port: number;
  configDir: string;
  dbPath: string;
  process: ResultPromise<{ reject: false }>;
  /** Everything it wrote to stderr so far. */
  stderr: () => string;
  /** Sends SIGTERM and waits for the exit; returns the finished result. */
  stop: (signal?: NodeJS.Signals) => Promise<Awaited<ResultPromise<{ reject: false }>>>;
}

export async function startListen(args: string[], options: { configDir?: string; env?: Record<string, string> } = {}): Promise<RunningListener> {
  const configDir = options.configDir ?? tempDir();
  const port = await freePort();
  const child = execa(process.execPath, [BIN, 'listen', '--port', String(port), ...args], {
    reject: false,
    env: isolatedEnv(configDir, options.env),
    extendEnv: true,
    // Bounded lifetime whatever happens to the test.
    timeout: 60_000,
  }) as ResultPromise<{ reject: false }>;
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('listening on')) resolve();
    });
    child.then((r) => reject(new Error(`listen exited early (${r.exitCode}): ${r.stderr}`)), reject);
  });
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    port,
    configDir,
    dbPath: join(configDir, 'history.db'),
    process: child,
    stderr: () => seen,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return await child;
    },
  };
}
