/** A real `redis-server` on a free loopback port, nothing saved to disk; stopped and restarted at will. */
import { execa, type ResultPromise } from 'execa';
import { freePort } from './servers.js';

export interface RedisServer {
  port: number;
  url: string;
  /** Stops it (SIGKILL: a crash) and waits until it has exited. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
  /** Starts it again on the same port. */
  start: () => Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ResultPromise | undefined;
  const start = async () => {
    const running = execa(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { reject: false, timeout: 5 * 60_000 },
    );
    child = running;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      running.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('Ready to accept connections')) resolve();
      });
      void running.then((r) => reject(new Error(`redis-server exited early (${r.exitCode}): ${seen}${r.stderr}`)));
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async (signal = 'SIGTERM') => {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      running.kill(signal);
      await running;
    },
    start,
  };
}
