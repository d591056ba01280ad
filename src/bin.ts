#!/usr/bin/env node
/**
 * The entry point, and the only module that touches the process: it hands `main` the real
 * streams, environment and stop signals, and turns the code `main` returns into the exit code.
 * Bundled by esbuild into dist/webhooks-cli.cjs with the command table (scripts/build.js); each
 * command's module is a separate chunk, loaded only when that command runs.
 */
import { main } from './cli/main.js';
import type { SignalSource } from './cli/stop-signal.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The process's stop signals, for the commands that drain before they end. */
const signals: SignalSource = {
  subscribe(listener) {
    for (const signal of STOP_SIGNALS) process.on(signal, listener);
    return () => {
      for (const signal of STOP_SIGNALS) process.off(signal, listener);
    };
  },
};

// A reader that stops early (`| head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  // Read only by the commands that take input: touching process.stdin sets up a stream.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  signals,
};
// main never rejects: whatever goes wrong becomes an error line and an exit code.
void main(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
