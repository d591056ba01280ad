/** Listeners for tests: the built `listen` as a child process (ready once it accepts requests), or one in this process. */

import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { sign } from '../../src/core/signature.js';
import { type Listener, startListener } from '../../src/receiver/index.js';
import { BIN, isolatedEnv, tempDir } from './cli.js';

export interface RunningListener {
  url: string;
  port: number;
  configDir: string;
  dbPath: string;
  process: ResultPromise<{ reject: false }>;
  /** Sends SIGTERM and waits for the exit; returns the finished result. */
  stop: (signal?: NodeJS.Signals) => Promise<Awaited<ResultPromise<{ reject: false }>>>;
}

export async function startListen(
  args: string[],
  options: { configDir?: string; env?: Record<string, string> } = {},
): Promise<RunningListener> {
  const configDir = options.configDir ?? tempDir();
  // Port 0: the listener binds a free port itself and names it in its ready line (no probing race).
  const child = execa(process.execPath, [BIN, 'listen', '--port', '0', ...args], {
    reject: false,
    env: isolatedEnv(configDir, options.env),
    extendEnv: true,
    // Bounded lifetime whatever happens to the test.
    timeout: 60_000,
  }) as ResultPromise<{ reject: false }>;
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const ready = /listening on (http:\/\/\S+) /.exec(seen);
      if (ready) resolve(ready[1]!);
    });
    child.then((r) => reject(new Error(`listen exited early (${r.exitCode}): ${r.stderr}`)), reject);
  });
  return {
    url,
    port: Number(new URL(url).port),
    configDir,
    dbPath: join(configDir, 'history.db'),
    process: child,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return await child;
    },
  };
}

/** The listener's URL as its TUI shows it (header and the "waiting for webhooks" hint). */
export function listenUrlOnScreen(screen: string): string {
  const found = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(screen);
  if (!found) throw new Error(`no listener URL on the screen:\n${screen}`);
  return found[0];
}

/** Real listeners in this process (port 0, a fresh history each); call `closeAll` in afterEach. */
export function inProcessListeners(secret: string) {
  const open: Listener[] = [];
  return {
    async start(): Promise<Listener> {
      const listener = await startListener({ dbPath: join(tempDir(), 'history.db'), port: 0, secrets: [secret] });
      open.push(listener);
      return listener;
    },
    closeAll: () => Promise.all(open.splice(0).map((l) => l.close())),
  };
}

/** POSTs one signed delivery of `event` with delivery id `id`, as the platform would. */
export function deliverSigned(listener: Pick<Listener, 'url'>, event: string, id: string, secret: string) {
  const body = JSON.stringify({ event, timestamp: '2026-01-01T00:00:00Z', data: { product_id: 'prod_1' } });
  return fetch(listener.url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': event,
      'x-webhook-delivery': id,
      'x-webhook-signature': sign(body, secret),
    },
  });
}
