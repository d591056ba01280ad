/** The built `relay` command as a real process on a loopback port, for end-to-end tests. */
import { spawnCli } from './cli.js';

export interface RelayProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  port: number;
  stderr: () => string;
  /** Sends `signal` (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits; returns the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | undefined>;
}

/**
 * Starts `webhooks-cli --json relay --port <port>` (0: a free one) and waits until it listens.
 * `plain`: without --json, so its log is the human one (the ready line on stdout stays JSON-free).
 */
export async function startRelayProcess(
  port = 0,
  extraArgs: string[] = [],
  configDir?: string,
  { plain = false } = {},
): Promise<RelayProcess> {
  // A bounded lifetime: a test that forgets to stop it cannot leave it running.
  const child = spawnCli([...(plain ? [] : ['--json']), 'relay', '--port', String(port), ...extraArgs], {
    configDir,
    timeout: 60_000,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void child.then((r) => reject(new Error(`relay exited early (${r.exitCode}): ${r.stderr}`)));
  });
  const listening = plain
    ? /^relay listening on (\S+)/.exec(first)![1]!
    : (JSON.parse(first) as { listening: string }).listening;
  const actualPort = Number(new URL(listening).port);
  return {
    url: listening,
    wsUrl: listening.replace(/^http/, 'ws'),
    port: actualPort,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return (await child).exitCode;
    },
  };
}
