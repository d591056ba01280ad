/**
 * Every file the tool writes that may hold a secret or a request body is owner-only, whatever the
 * umask: each command runs here under `umask 000`, so a file created without an explicit mode
 * would come out world-readable and fail the check.
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, tempDir } from '../helpers/cli.js';

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

function permissive(args: string[], configDir: string, env: Record<string, string> = {}) {
  return execa('sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, ...args], {
    reject: false,
    env: isolatedEnv(configDir, env),
    extendEnv: true,
    timeout: 30_000,
  }) as ResultPromise<{ reject: false }>;
}

const children: ResultPromise[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts a long-running command under umask 000 and waits for `ready` on stdout or stderr. */
async function startPermissive(args: string[], configDir: string, ready: RegExp) {
  const child = permissive(args, configDir);
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    void child.then((r) => reject(new Error(`${args[0]} exited early: ${r.stderr}`)));
  });
  return { child, output: () => output };
}

describe('files are created owner-only, even under umask 000', () => {
  it('the sh wrapper really applies umask 000', async () => {
    const dir = tempDir();
    const probe = await execa('sh', [
      '-c',
      'umask 000 && exec "$0" -e "require(\'fs\').writeFileSync(process.argv[1], \'x\')" "$1"',
      process.execPath,
      join(dir, 'probe'),
    ]);
    expect(probe.exitCode).toBe(0);
    expect(mode(join(dir, 'probe'))).toBe('666');
  });

  it('config.json and its folder', async () => {
    const configDir = join(tempDir(), 'fresh-config');
    expect((await permissive(['config', 'set', 'secret', 'sekret'], configDir)).exitCode).toBe(0);
    expect((await permissive(['config', 'set', 'token', 'tok-123456'], configDir)).exitCode).toBe(0);
    expect(mode(join(configDir, 'config.json'))).toBe('600');
    expect(mode(configDir)).toBe('700');
  });

  it('the spool of trigger: its folders and files', async () => {
    const configDir = tempDir();
    const db = join(configDir, 'new', 'dir', 'history.db');
    const sent = await permissive(
      ['--db', db, 'trigger', 'customer.cart.added', '--to', 'http://127.0.0.1:1/webhook', '--secret', 's'],
      configDir,
    );
    expect(sent.exitCode).toBe(1); // nothing listens on port 1; the attempt is still recorded
    const spool = `${db}.spool`;
    const files = readdirSync(spool);
    expect(files.length).toBeGreaterThan(0);
    expect([mode(join(configDir, 'new')), mode(join(configDir, 'new', 'dir')), mode(spool)]).toEqual([
      '700',
      '700',
      '700',
    ]);
    expect(files.map((f) => mode(join(spool, f)))).toEqual(files.map(() => '600'));
  });

  it('history.db and its -wal and -shm, written by listen', async () => {
    const configDir = tempDir();
    const db = join(configDir, 'data', 'history.db');
    const { output } = await startPermissive(
      ['--db', db, 'listen', '--port', '0', '--secret', 's', '--no-tui'],
      configDir,
      /listening on http:\/\/\S+ /,
    );
    const url = /listening on (http:\/\/\S+) /.exec(output())![1]!;
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    // The request is written within the recorder's flush interval; the WAL files exist while it runs.
    await expect.poll(() => existsSync(`${db}-wal`) && existsSync(`${db}-shm`)).toBe(true);
    expect([mode(join(configDir, 'data')), mode(db), mode(`${db}-wal`), mode(`${db}-shm`)]).toEqual([
      '700',
      '600',
      '600',
      '600',
    ]);
  });

  it("the emulator's state database and its -wal and -shm, written by serve", async () => {
    const configDir = tempDir();
    const state = join(configDir, 'emu', 'state.db');
    const { output } = await startPermissive(
      ['--token', 't', 'serve', '--port', '0', '--state', state],
      configDir,
      /Ctrl-C to stop/,
    );
    const url = /emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1]!;
    const created = await fetch(`${url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({
        url: 'http://127.0.0.1:1/webhook',
        events: ['customer.cart.added'],
        secret: 'sekret-value',
      }),
    });
    expect(created.status).toBe(201);
    expect([mode(join(configDir, 'emu')), mode(state), mode(`${state}-wal`), mode(`${state}-shm`)]).toEqual([
      '700',
      '600',
      '600',
      '600',
    ]);
  });

  it('the relay channel store of listen --relay', async () => {
    const configDir = join(tempDir(), 'relay-config');
    const relay = await startPermissive(['--json', 'relay', '--port', '0'], configDir, /"connect"/);
    const connect = (
      JSON.parse(
        relay
          .output()
          .split('\n')
          .find((l) => l.includes('"connect"'))!,
      ) as { connect: string }
    ).connect;
    await startPermissive(
      ['listen', '--port', '0', '--secret', 's', '--no-tui', '--relay', connect],
      configDir,
      /relay: connected/,
    );
    const store = join(configDir, 'relay-channels.json');
    expect([mode(configDir), mode(store)]).toEqual(['700', '600']);
  });
});
