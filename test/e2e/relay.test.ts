/**
 * `webhooks-cli relay` as a real process: signed deliveries from the built `trigger` command
 * cross it to a tunnel client and come back with the client's answer; its errors and shutdown.
 */

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import type { RawRequest, RequestHandler } from '../../src/receiver/raw-exchange.js';
import { newRelayKey } from '../../src/relay/keys-file.js';
import { encodeFrame } from '../../src/tunnel/frame-codec.js';
import { TunnelClient, type TunnelClientOptions } from '../../src/tunnel/tunnel-client.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { COMMAND_TABLE, packagesLoaded } from '../helpers/loaded-packages.js';
import { connectRawListener } from '../helpers/raw-tunnel-listener.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function relayProcess(port = 0, args: string[] = []): Promise<RelayProcess> {
  const relay = await startRelayProcess(port, args);
  cleanups.push(() => relay.stop());
  return relay;
}

async function tunnel(
  relayUrl: string,
  handler: RequestHandler,
  extra: Partial<TunnelClientOptions> = {},
): Promise<TunnelClient> {
  const client = new TunnelClient({ relayUrl, handler, reconnectDelaysMs: [0, 100, 250], ...extra });
  cleanups.push(() => client.stop(200));
  client.start();
  await waitFor(() => client.status().state === 'connected' || client.status().state === 'refused');
  return client;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('webhooks-cli relay', () => {
  it('carries a signed trigger delivery to the tunnel client and returns its answer', async () => {
    const relay = await relayProcess();
    const received: RawRequest[] = [];
    const client = await tunnel(
      relay.wsUrl,
      async (req) => {
        received.push(req);
        const check = verify(req.body, req.headers['x-webhook-signature'], [SECRET]);
        return {
          status: check.valid ? 200 : 401,
          headers: { 'content-type': 'text/plain' },
          body: Buffer.from(check.valid ? 'verified' : 'bad signature'),
        };
      },
      { localPath: '/webhook' },
    );
    const publicUrl = client.status().publicUrl!;

    const configDir = tempDir();
    const sent = await spawnCli(
      [
        '--json',
        'trigger',
        'catalog.product.created',
        'customer.purchase.completed',
        '--to',
        publicUrl,
        '--secret',
        SECRET,
      ],
      { configDir },
    );
    expect(sent.exitCode).toBe(0);
    const report = JSON.parse(sent.stdout) as { deliveries: Array<{ status: number; delivery_id: string }> };
    expect(report.deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(received.map((r) => r.path)).toEqual(['/webhook', '/webhook']);
    expect(received.map((r) => r.headers['x-webhook-delivery']).sort()).toEqual(
      report.deliveries.map((d) => d.delivery_id).sort(),
    );

    const wrongSecret = await spawnCli(['trigger', 'catalog.product.created', '--to', publicUrl, '--secret', 'other'], {
      configDir,
    });
    expect(wrongSecret.exitCode).toBe(1);
    expect(wrongSecret.stderr + wrongSecret.stdout).toMatch(/401/);
    expect(relay.stderr()).toMatch(/"message":"channel ch_[^ ]+ connected \(new channel\)"/);
  });

  it('answers 503 while no listener is connected, so the sender sees a failure', async () => {
    const relay = await relayProcess();
    const sent = await spawnCli([
      '--json',
      'trigger',
      'catalog.product.created',
      '--to',
      `${relay.url}/ch_${'a'.repeat(22)}`,
      '--secret',
      SECRET,
    ]);
    expect(sent.exitCode).toBe(1);
    expect(JSON.parse(sent.stdout).deliveries[0].status).toBe(503);
  });

  it('refuses a client with the wrong token and logs it', async () => {
    const relay = await relayProcess();
    const owner = await tunnel(relay.wsUrl, async () => ({ status: 200, headers: {}, body: Buffer.alloc(0) }));
    const channel = owner.status().channel!;
    const intruder = await tunnel(relay.wsUrl, async () => ({ status: 200, headers: {}, body: Buffer.alloc(0) }), {
      credentials: { channel, token: 'B'.repeat(43) },
    });
    expect(await intruder.done).toMatchObject({ reason: 'refused' });
    await waitFor(() => /connection refused for channel ch_/.test(relay.stderr()));
    const lines = relay
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string });
    expect(lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('lets a tunnel client come back after the relay is killed and restarted', async () => {
    const first = await startRelayProcess();
    const port = first.port;
    let answered = 0;
    const client = await tunnel(first.wsUrl, async () => {
      answered += 1;
      return { status: 204, headers: {}, body: Buffer.alloc(0) };
    });
    const publicUrl = client.status().publicUrl!;
    await first.stop('SIGKILL');
    await waitFor(() => client.status().state === 'reconnecting');
    await relayProcess(port);
    await waitFor(() => client.status().state === 'connected');
    expect(client.status().publicUrl).toBe(publicUrl);
    const sent = await spawnCli([
      '--json',
      'trigger',
      'catalog.product.deleted',
      '--to',
      publicUrl,
      '--secret',
      SECRET,
    ]);
    expect(JSON.parse(sent.stdout).deliveries[0].status).toBe(204);
    expect(answered).toBe(1);
  });

  it('keeps its plain log one line per event: text from a listener or the keys file cannot forge a line or reach the terminal raw', async () => {
    const keys = join(tempDir(), 'relay-keys.json');
    const key = newRelayKey();
    // A key named, by a hand edit, with a line break and a terminal title sequence.
    const name = 'ops\n00:00:00 channel ch_FORGED1 connected \u001b]0;owned\u0007';
    writeFileSync(
      keys,
      JSON.stringify({
        keys: [{ name, sha256: createHash('sha256').update(key).digest('hex'), created: '2026-12-01T10:00:00Z' }],
      }),
    );
    const relay = await startRelayProcess(0, ['--keys', keys], undefined, { plain: true });
    cleanups.push(() => relay.stop());
    const listener = await connectRawListener(relay.wsUrl, () => undefined, { headers: { 'x-relay-key': key } });
    cleanups.push(async () => listener.close());
    // A listener's answer whose id carries a line of its own and an escape sequence.
    listener.ws.send(
      encodeFrame({
        kind: 'response',
        id: 'x\n00:00:00 channel ch_FORGED2 connected\u001b[2J',
        status: 200,
        headers: {},
        body: Buffer.alloc(0),
      }),
    );
    await waitFor(() => /malformed frame ignored|unknown answer/.test(relay.stderr()));
    const stderr = relay.stderr();
    expect(stderr.split('\n').filter((line) => line.startsWith('00:00:00'))).toEqual([]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach the terminal
    expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(stderr).toContain('with key "ops\\n00:00:00 channel ch_FORGED1 connected \\u001b]0;owned\\u0007"');
    expect(stderr).toMatch(/malformed frame ignored: response frame id must be 1 to 64 letters, digits, - or _/);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const relay = await startRelayProcess();
    expect(await relay.stop('SIGTERM')).toBe(0);
    expect(relay.stderr()).toMatch(/SIGTERM received, shutting down/);
  });

  it('relay --help loads commander only', async () => {
    expect(await packagesLoaded(['relay', '--help'])).toEqual(COMMAND_TABLE);
  });

  it('reports a port in use in one line with exit 1, and a bad --public-url with exit 2', async () => {
    const busy = await startRecordingServer();
    cleanups.push(() => busy.close());
    const inUse = await spawnCli(['relay', '--port', String(busy.port)], { timeout: 10_000 });
    expect(inUse.exitCode).toBe(1);
    expect(inUse.stderr.trim()).toBe(
      `error: port ${busy.port} on 127.0.0.1 is already in use — stop the other process or pass --port <another>`,
    );
    const badUrl = await spawnCli(['relay', '--port', '0', '--public-url', 'relay.example.com'], { timeout: 10_000 });
    expect(badUrl.exitCode).toBe(2);
    expect(badUrl.stderr).toMatch(/--public-url "relay.example.com" is not a URL/);
  });
});
