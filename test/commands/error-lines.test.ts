/** trigger's error lines name the cause and the fix, against real servers that get things wrong. */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
let relay: RelayProcess | undefined;
let raw: Server | undefined;
afterEach(async () => {
  await server?.close();
  await relay?.stop();
  await new Promise((r) => (raw ? raw.close(r) : r(undefined)));
  server = relay = raw = undefined;
});

describe('trigger error lines', () => {
  it('https:// at a plain-HTTP server says it does not speak TLS and suggests http://', async () => {
    server = await startRecordingServer();
    const host = new URL(server.url).host;
    const r = await runCli(['trigger', 'catalog.product.created', '--to', `https://${host}/webhook`, '--secret', 's']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${host} does not speak TLS`);
    expect(r.stderr).toContain(`use http://${host}/webhook`);
    expect(r.stderr).not.toMatch(/wrong version number/);
  });

  it('a URL without a scheme is refused with the URL meant', async () => {
    const r = await runCli(['trigger', 'catalog.product.created', '--to', 'localhost:3001/webhook', '--secret', 's']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean --to http://localhost:3001/webhook?');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("a 503 from a relay shows the relay's own words, not only the status", async () => {
    relay = await startRelayProcess();
    const r = await runCli([
      'trigger',
      'catalog.product.created',
      '--to',
      `${relay.url}/ch_${'n'.repeat(22)}/webhook`,
      '--secret',
      's',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the relay answered 503: no listener is connected to this channel');
    expect(r.stdout).toContain('relay: no listener is connected');
  });

  it('names the cause most failures share when a run fails in several ways', async () => {
    // A receiver that drops the connection for search events and is overloaded for the rest.
    raw = createServer((req, res) => {
      if (String(req.headers['x-webhook-event']).startsWith('search.')) return req.socket.destroy();
      res.writeHead(503).end('busy');
    });
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as { port: number }).port;
    const r = await runCli(['trigger', '--all', '--to', `http://127.0.0.1:${port}/webhook`, '--secret', 's']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: 16 of 16 deliveries failed \(14 of them\): the receiver answered 503 \("busy"\); 2 failed otherwise/,
    );
  });
});
