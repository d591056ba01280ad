/** Options shared by the commands that run an HTTP server: `listen`, `serve`, `relay`. */
import { Option } from '@commander-js/extra-typings';
import { duration } from './parse.js';

/** `--request-timeout`: the whole-request deadline (see src/config/server-timeouts.ts). */
export function requestTimeoutOption() {
  return new Option(
    '--request-timeout <duration>',
    'a client must send its whole request within this (headers within 10s at most), else 408 and the connection is closed',
  )
    .argParser(duration)
    .default(30_000, '30s');
}
