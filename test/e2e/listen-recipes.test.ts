/** The listen recipes the help and README give, run as written: the jq example, and stopping the bin's pid. */

import { createConnection } from 'node:net';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, spawnCli, tempDir } from '../helpers/cli.js';
import { deliverSigned } from '../helpers/listen.js';
import { hasProgram } from '../helpers/required-program.js';
import { until } from '../helpers/until.js';

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(true));
  });

describe('listen recipes', () => {
  it.skipIf(!hasProgram('jq', ['--version']))(
    "the help's jq example prints the delivery id of each request, never null",
    async () => {
      const help = (await spawnCli(['listen', '--help'])).stdout;
      const example = help.split('\n').find((l) => l.includes('| jq'))!;
      const program = /jq -r '([^']+)'/.exec(example)![1]!;
      const listen = spawnCli(['listen', '--port', '0', '--secret', 's3cret', '--json'], { timeout: 60_000 });
      let out = '';
      listen.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      const url = (await until(() => /"url":"([^"]+)"/.exec(out)?.[1]))!;
      await deliverSigned({ url }, 'catalog.product.created', 'dlv_for_jq', 's3cret');
      await until(() => out.includes('dlv_for_jq'));
      listen.kill('SIGTERM');
      await listen;
      const jq = await execa('jq', ['-r', program], { input: out });
      expect(jq.stdout.trim().split('\n')).toEqual(['dlv_for_jq']);
    },
  );

  it("kill of the bin's pid (./node_modules/.bin/webhooks-cli, not npx) stops the listener and frees its port", async () => {
    // As the README's CI recipe starts it: the bin itself in the background, so $! is the listener.
    const configDir = tempDir();
    const shell = execa(
      'sh',
      ['-c', `${BIN} listen --port 0 --secret s --json > out.jsonl 2>/dev/null & echo $!; wait`],
      { cwd: configDir, env: isolatedEnv(configDir), extendEnv: true, timeout: 60_000, reject: false },
    );
    let pid = '';
    shell.stdout!.on('data', (c: Buffer) => (pid += c.toString()));
    const { readFileSync } = await import('node:fs');
    const line = await until(() => {
      try {
        return /"port":(\d+)/.exec(readFileSync(`${configDir}/out.jsonl`, 'utf8'))?.[1];
      } catch {
        return undefined;
      }
    });
    const port = Number(line);
    expect(await portIsFree(port)).toBe(false);
    process.kill(Number(pid.trim()), 'SIGTERM');
    await shell;
    expect(await until(() => portIsFree(port))).toBe(true);
  });
});
