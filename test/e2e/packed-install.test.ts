/**
 * The installed package is the product: `npm pack`, installed into an empty project without dev
 * dependencies (better-sqlite3 builds from source there: no prebuilt binary can be downloaded),
 * then run through `npx` as a user runs it. Also measures the installed node_modules.
 *
 * Slow by nature (a C compile of SQLite): a minute or a few on a busy machine.
 */

import { createHmac } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, tempDir } from '../helpers/cli.js';
import { deliverSigned } from '../helpers/listen.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { version: VERSION } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const SECRET = 'packed-secret';
/** The goal for an install (issue 23): it was 94 MB and 130 packages when everything was a dependency. */
const MAX_MEGABYTES = 75;
const MAX_PACKAGES = 110;
const INSTALL_TIMEOUT = 15 * 60_000;

let project = '';
let server: RecordingServer | undefined;

/** The environment of a shell in the consuming project: none of this run's npm_* variables (`npm test` sets them). */
function projectEnv(configDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  return { ...env, ...isolatedEnv(configDir) };
}

/** `npx webhooks-cli ...args` in the consuming project. */
function npx(args: string[], configDir: string, options: { detached?: boolean } = {}) {
  return execa('npx', ['--no-install', 'webhooks-cli', ...args], {
    cwd: project,
    env: projectEnv(configDir),
    extendEnv: false,
    reject: false,
    timeout: 60_000,
    ...options,
  });
}

/** Bytes of every file below `dir` (as stored, not the disk blocks), and never following a link. */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else total += lstatSync(path).size;
  }
  return total;
}

/**
 * A long-running command through npx, in its own process group (npx does not pass a signal on
 * to the program it runs): `ready` resolves with the first group of the pattern in its output.
 */
function startServer(args: string[], configDir: string) {
  const child = npx(args, configDir, { detached: true });
  running.push(child);
  const stop = async () => {
    stopGroup(child);
    return await child;
  };
  const ready = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      let seen = '';
      for (const stream of [child.stdout!, child.stderr!])
        stream.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const found = pattern.exec(seen);
          if (found) resolve(found[1]!);
        });
      child.then((r) => reject(new Error(`${args[0]} exited early (${r.exitCode}): ${r.stderr}`)), reject);
    });
  return { ready, stop };
}

const running: ReturnType<typeof npx>[] = [];

function stopGroup(child: ReturnType<typeof npx>): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // The group has ended already.
  }
}

beforeAll(async () => {
  const packed = tempDir('webhooks-cli-pack-');
  // The bundle the global setup built; --ignore-scripts so packing does not rebuild dist/ under
  // the other end-to-end tests.
  const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packed], {
    cwd: ROOT,
    env: projectEnv(tempDir()),
    extendEnv: false,
  });
  const tarball = join(packed, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  project = tempDir('webhooks-cli-project-');
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, allowScripts: { 'better-sqlite3': true } }, null, 2)}\n`,
  );
  // The registry is reached only for what the local cache lacks; better-sqlite3 compiles (JOBS:
  // both of its sources at once).
  await execa('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: project,
    env: { ...projectEnv(tempDir()), JOBS: 'max' },
    extendEnv: false,
    timeout: INSTALL_TIMEOUT,
  });
}, INSTALL_TIMEOUT + 60_000);

afterAll(async () => {
  await server?.close();
  for (const child of running) stopGroup(child);
});

describe('the packed package, installed without dev dependencies', () => {
  it(`installs in at most ${MAX_MEGABYTES} MB and ${MAX_PACKAGES} packages`, () => {
    const lock = JSON.parse(readFileSync(join(project, 'node_modules', '.package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const packages = Object.keys(lock.packages).filter((path) => path.includes('node_modules/'));
    const megabytes = treeBytes(join(project, 'node_modules')) / 2 ** 20;
    console.log(`installed node_modules: ${megabytes.toFixed(1)} MB, ${packages.length} packages`);
    expect(packages).toContain('node_modules/webhooks-cli');
    expect(packages).toContain('node_modules/better-sqlite3');
    expect(megabytes).toBeLessThanOrEqual(MAX_MEGABYTES);
    expect(packages.length).toBeLessThanOrEqual(MAX_PACKAGES);
  });

  it('npx webhooks-cli --version', async () => {
    const result = await npx(['--version'], tempDir());
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(VERSION);
  });

  it('trigger sends one signed delivery to a loopback receiver', async () => {
    server = await startRecordingServer();
    const configDir = tempDir();
    const result = await npx(['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET], configDir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    const expected = `sha256=${createHmac('sha256', SECRET).update(request!.body).digest('hex')}`;
    expect(request!.headers['x-webhook-signature']).toBe(expected);
    expect(request!.headers['x-webhook-event']).toBe('catalog.product.created');
  });

  it('listen --no-tui verifies a signed delivery and records it in the history', async () => {
    const configDir = tempDir();
    const listen = startServer(['listen', '--no-tui', '--port', '0', '--secret', SECRET], configDir);
    const url = await listen.ready(/listening on (http:\/\/\S+) /);
    const answer = await deliverSigned({ url }, 'catalog.product.updated', 'dlv_packed_install_1', SECRET);
    expect(answer.status).toBe(200);
    const stopped = await listen.stop();
    expect(stopped.stderr).toContain('stopped: 1 request received, all recorded in');
    expect(stopped.stdout).toContain('dlv_packed_install_1');

    const history = await npx(['history', '--json'], configDir);
    expect(history.exitCode, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject([
      {
        direction: 'in',
        event: 'catalog.product.updated',
        delivery_id: 'dlv_packed_install_1',
        status: 200,
        signature_valid: true,
      },
    ]);
  });

  it('the commands whose libraries load only when they run find them in the bundle: relay, events types', async () => {
    const relay = startServer(['relay', '--port', '0'], tempDir());
    const relayUrl = await relay.ready(/relay listening on (http:\/\/\S+) /);
    const metrics = await fetch(`${relayUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('relay_requests_total');
    expect((await relay.stop()).stderr).not.toContain('unexpected failure');
    const types = await npx(['events', 'types', '--lang', 'typescript'], tempDir());
    expect(types.exitCode, types.stderr).toBe(0);
    expect(types.stdout).toContain('export interface');
  });
});
