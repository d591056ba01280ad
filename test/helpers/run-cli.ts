/**
 * Runs the CLI in this process: `main(argv, io)` with captured output, a chosen environment and a
 * terminal or not, as bin/ does with the real ones. Much faster than spawning the binary, so
 * command tests use it; test/e2e keeps what only a process shows (signals, a real terminal,
 * start-up module loading).
 */
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
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
}

export interface InProcessResult {
  code: number;
  /** Without the final newline, as execa gives it. */
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  { configDir = tempDir(), env, isTTY = false, stdin }: InProcessOptions = {},
): Promise<InProcessResult> {
  const stdout = capture(isTTY);
  const stderr = capture(isTTY);
  const input = Object.assign(Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]), { isTTY });
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: input,
    env: { ...process.env, ...isolatedEnv(configDir, env) },
    isTTY,
  });
  return { code, stdout: stripFinalNewline(stdout.text()), stderr: stripFinalNewline(stderr.text()) };
}

function capture(isTTY: boolean) {
  const chunks: Buffer[] = [];
  // Kept as each write happens, so the text is complete the moment `main` returns.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const stream = Object.assign(sink, { isTTY, columns: 100, rows: 30 });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function stripFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
