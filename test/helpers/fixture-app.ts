/**
 * Receivers from test/fixture-apps/ in any language, as real processes on free loopback ports:
 * Python frameworks on Debian's interpreter (where python3-flask, -django, -fastapi live), PHP's
 * built-in server, Ruby, a Go program built in a temp folder, Node. Each is stopped by its test
 * and has a bounded lifetime besides.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { tempDir } from './cli.js';
import { skipWithout } from './required-program.js';
import { until } from './until.js';

export const FIXTURE_APPS = fileURLToPath(new URL('../fixture-apps/', import.meta.url));

/** Debian's interpreter: the one python3-flask, python3-django and python3-fastapi install for. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface FixtureApp {
  /** `http://127.0.0.1:<port>` and the path. */
  url: (path?: string) => string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** True (with a notice) when Debian's python3 cannot import `module` from `pkg`; fails under CI=true. */
export function skipWithoutPythonModule(module: string, pkg: string): boolean {
  return skipWithout(DEBIAN_PYTHON, ['-c', `import ${module}`], pkg);
}

/**
 * Runs `command args` and waits for the port it prints on its first line, or — given `port` —
 * for that port to accept connections.
 */
export async function startFixtureApp(
  command: string,
  args: string[],
  { port, env = {}, cwd }: { port?: number; env?: Record<string, string>; cwd?: string } = {},
): Promise<FixtureApp> {
  const child: ResultPromise = execa(command, args, { reject: false, timeout: 180_000, env, cwd, extendEnv: true });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = child.then((r) => {
    throw new Error(`${command} ${args.join(' ')} exited early (${r.exitCode}): ${r.stderr}`);
  });
  const ready =
    port === undefined
      ? new Promise<number>((resolve) => {
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('\n')) resolve(Number(out.split('\n')[0]!.trim()));
          });
        })
      : until(() => accepts(port), 20_000, `port ${port} accepting`).then(() => port);
  const bound = await Promise.race([ready, exited]);
  return {
    url: (path = '/webhook') => `http://127.0.0.1:${bound}${path}`,
    stderr: () => stderr,
    stop: async () => {
      child.kill();
      await child;
    },
  };
}

/** A fixture app by its file name, run the way its language runs it. */
export async function startFixtureFile(file: string, args: string[], env: Record<string, string> = {}) {
  const path = FIXTURE_APPS + file;
  if (file.endsWith('.py')) return startFixtureApp(DEBIAN_PYTHON, [path, ...args], { env });
  if (file.endsWith('.rb')) return startFixtureApp('ruby', [path, ...args], { env });
  if (file.endsWith('.mjs')) return startFixtureApp(process.execPath, [path, ...args], { env });
  if (file.endsWith('.php')) {
    const port = await freePort();
    return startFixtureApp('php', ['-S', `127.0.0.1:${port}`, path], { port, env });
  }
  if (file.endsWith('.go')) return startFixtureApp(await buildGoProgram(path), args, { env });
  throw new Error(`no way to run ${file}`);
}

/** Builds one Go file (standard library only, no network) into a binary in a temp folder. */
async function buildGoProgram(source: string): Promise<string> {
  const dir = tempDir('go-receiver-');
  copyFileSync(source, join(dir, 'main.go'));
  writeFileSync(join(dir, 'go.mod'), 'module receiver\n\ngo 1.19\n');
  const binary = join(dir, 'receiver');
  await execa('go', ['build', '-o', binary, '.'], {
    cwd: dir,
    env: { GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' },
    timeout: 170_000,
  });
  return binary;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
