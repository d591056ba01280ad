/** Starts the built CLI's `serve` on a free port and talks to it, for end-to-end tests. */
import { execa, type ResultPromise } from 'execa';
import { BIN, isolatedEnv, tempDir } from './cli.js';

export interface ServeProcess {
  url: string;
  configDir: string;
  process: ResultPromise;
  /** Lines `serve` printed on stdout so far (one per attempt). */
  stdout: string[];
  stderr: () => string;
  /** Calls the emulator's API directly. */
  call: (
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
    // biome-ignore lint/suspicious/noExplicitAny: the emulator's JSON answers, checked field by field by the expectations
  ) => Promise<{ status: number; json: any; text: string }>;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Spawns `serve --port 0 …` (bounded to `lifetimeMs`) and resolves once it listens. */
export async function startServe(
  args: string[] = [],
  { configDir = tempDir(), lifetimeMs = 60_000, token = 'test-token', env = {} as Record<string, string> } = {},
): Promise<ServeProcess> {
  const child = execa(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    reject: false,
    env: isolatedEnv(configDir, env),
    extendEnv: true,
    timeout: lifetimeMs,
    killSignal: 'SIGKILL',
  });
  const stdout: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    stdout.push(...lines);
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /emulator on (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(stderr);
      // The banner's last line: everything above it (state, resumed deliveries) is printed.
      if (match && stderr.includes('Ctrl-C to stop')) resolve(match[1]!);
    });
    void child.then((r) => reject(new Error(`serve exited (${r.exitCode}): ${stderr}`)));
  });
  return {
    url,
    configDir,
    process: child,
    stdout,
    stderr: () => stderr,
    async call(method, path, body, useToken = token) {
      const headers: Record<string, string> = {};
      if (useToken !== null) headers.authorization = `Bearer ${useToken}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      await child;
    },
  };
}
