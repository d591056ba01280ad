/**
 * Runs the CLI in this process: `main(argv, io)` with captured output, a chosen environment and a
 * terminal or not, as bin/ does with the real ones. Much faster than spawning the binary, so
 * command tests use it; test/e2e keeps what only a process shows (signals, a real terminal,
 * start-up module loading).
 */
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { SignalSource } from '../../src/cli/stop-signal.js';
import { isolatedEnv, tempDir } from './cli.js';

export interface InProcessOptions {
  /** The config folder (default: a fresh one); the history lives there unless --db says otherwise. */
  configDir?: string;
  /** Added to the isolated environment (test/helpers/cli.ts). */
  env?: Record<string, string>;
  /** Whether stdout and stdin are a terminal (default: no, as in a pipe). */
  isTTY?: boolean;
  /** Piped to standard input (default: nothing, already closed). */
  stdin?: string | Buffer;
  /** Stop requests the command receives, as the entry passes the process's signals (see `stopSignals`). */
  signals?: SignalSource;
  /** Called with each write to standard output as it happens (a long-running command's ready line). */
  onStdout?: (text: string) => void;
}

export interface InProcessResult {
  code: number;
  /** Without the final newline, as execa gives it. */
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  { configDir = tempDir(), env, isTTY = false, stdin, signals = stopSignals().source, onStdout }: InProcessOptions = {},
): Promise<InProcessResult> {
  const stdout = capture(isTTY, onStdout);
  const stderr = capture(isTTY);
  const input = Object.assign(Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]), { isTTY });
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: input,
    env: { ...process.env, ...isolatedEnv(configDir, env) },
    isTTY,
    signals,
  });
  return { code, stdout: stripFinalNewline(stdout.text()), stderr: stripFinalNewline(stderr.text()) };
}

function capture(isTTY: boolean, onWrite?: (text: string) => void) {
  const chunks: Buffer[] = [];
  // Kept as each write happens, so the text is complete the moment `main` returns.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      onWrite?.(chunk.toString('utf8'));
      done();
    },
  });
  const stream = Object.assign(sink, { isTTY, columns: 100, rows: 30 });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function stripFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** A stop-signal source for an in-process run: `send('SIGINT')` is a Ctrl-C to the running command. */
export function stopSignals(): { source: SignalSource; send: (signal: NodeJS.Signals) => void } {
  const listeners = new Set<(signal: NodeJS.Signals) => void>();
  return {
    source: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    send: (signal) => {
      for (const listener of [...listeners]) listener(signal);
    },
  };
}
