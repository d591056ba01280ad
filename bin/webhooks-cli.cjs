#!/usr/bin/env node
'use strict';
// The only place that decides the process's exit code; everything below returns or throws.
// CommonJS for a fast start (see src/cli/main.cts).

// React's production build for the TUIs, whatever the shell says: the development build records
// every render for profiling tools, and a live view with thousands of updates a second then grows
// to gigabytes within a minute. Set before any command imports ink or react.
process.env.NODE_ENV = 'production';

// A reader that stops early (`| head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, isTTY: Boolean(process.stdout.isTTY) };
require('../dist/cli/main.cjs')
  .main(process.argv.slice(2), io)
  .then((code) => {
    process.exitCode = code;
  });
