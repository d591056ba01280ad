/** A receiver from test/fixture-apps/ as a real process on a free loopback port. */

import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export interface ReceiverProcess {
  /** `http://127.0.0.1:<port>/webhook` */
  url: string;
  /** What it printed on stderr so far (its error log). */
  stderr: () => string;
  stop: () => Promise<void>;
}

const RECEIVERS = fileURLToPath(new URL('../fixture-apps/', import.meta.url));

/**
 * Starts `test/fixture-apps/<script>` (`.py` with python3, `.mjs` with node) with `args`, and waits
 * for the port it prints on its first line. A bounded lifetime, so a test that forgets to stop
 * it cannot leave it running.
 */
export async function startReceiverProcess(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ReceiverProcess> {
  const program = script.endsWith('.py') ? 'python3' : process.execPath;
  const child: ResultPromise = execa(program, [RECEIVERS + script, ...args], {
    reject: false,
    timeout: 120_000,
    env,
    extendEnv: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    void child.then((r) => reject(new Error(`${script} exited early (${r.exitCode}): ${r.stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    stderr: () => stderr,
    stop: async () => {
      child.kill();
      await child;
    },
  };
}
