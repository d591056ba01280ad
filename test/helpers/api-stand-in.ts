/**
 * A recording stand-in of the platform API for one test file: `start(respond)` in a test, closed
 * after each; `cli(args)` runs the CLI in-process against it with a token; `server` is the running
 * stand-in and the requests it recorded.
 */
import { afterEach } from 'vitest';
import { runCli } from './run-cli.js';
import { type RecordingServer, type Responder, startRecordingServer } from './servers.js';

export function apiStandIn() {
  let running: RecordingServer | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return {
    start: async (respond: Responder) => (running = await startRecordingServer(respond)),
    get server(): RecordingServer {
      if (!running) throw new Error('the API stand-in is not started');
      return running;
    },
    cli: (args: string[], env: Record<string, string> = {}) =>
      runCli(['--api-url', running!.url, '--token', 'tok_123', ...args], { env }),
  };
}

/** A JSON answer of the stand-in. */
export const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});
