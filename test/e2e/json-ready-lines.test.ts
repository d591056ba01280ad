/** Under --json stdout stays JSON: every error is an {"error"} line, and serve says when it is ready. */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { until } from '../helpers/until.js';

let serve: ServeProcess | undefined;
afterEach(async () => {
  await serve?.stop();
  serve = undefined;
});

describe('--json errors', () => {
  it.each([
    [['trigger', '--json', '--frobnicate'], /unknown option '--frobnicate'/],
    [['--json', 'events', 'show'], /missing required argument/],
    [
      ['--json', 'trigger', '--all', 'catalog.product.created', '--to', 'http://127.0.0.1:9/'],
      /--all sends every event type/,
    ],
    [['--json', 'history', '--db', '/nonexistent/dir/h.db'], /no history database/],
  ])('%j prints one {"error"} line on stdout and the message on stderr', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBeGreaterThan(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.error.message).toMatch(message);
    expect(parsed.error.exitCode).toBe(r.code);
    expect(r.stderr).toMatch(message);
  });
});

describe('serve --json', () => {
  it('prints a ready line with the API URL, as listen and relay do', async () => {
    serve = await startServe(['--json']);
    await until(() => serve!.stdout.length > 0);
    const ready = JSON.parse(serve.stdout[0]!);
    expect(ready).toMatchObject({ listening: serve.url, api_url: `${serve.url}/api/v1` });
    expect((await fetch(ready.openapi_url)).status).toBe(200);
  });
});
