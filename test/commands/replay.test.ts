import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';
let running: RunningListener[] = [];
let apps: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(running.map((l) => l.stop()));
  await Promise.all(apps.map((a) => a.close()));
  running = [];
  apps = [];
});

describe('replay', () => {
  it('re-sends a received request, re-signed, as a new delivery to where it went, linked to the original', async () => {
    const listener = await startListen(['--secret', SECRET]);
    running.push(listener);
    const body = '{ "event": "customer.cart.added", "data": {"n": 1} }';
    await fetch(listener.url, {
      method: 'POST',
      body,
      headers: {
        'x-webhook-event': 'customer.cart.added',
        'x-webhook-delivery': 'dlv_first',
        'x-webhook-signature': sign(body, SECRET),
      },
    });
    // The listener writes in batches; replay reads the same database once the row is there.
    await until(
      async () => (await runCli(['history', 'show', 'dlv_first'], { configDir: listener.configDir })).code === 0,
      10_000,
      'the request recorded',
    );
    const replayed = await runCli(['replay', 'dlv_first', '--secret', SECRET, '--json'], {
      configDir: listener.configDir,
    });
    expect(replayed.code).toBe(0);
    const result = JSON.parse(replayed.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      ok: true,
      replay_of: 'dlv_first',
      status: 200,
      url: listener.url,
      event: 'customer.cart.added',
    });
    expect(result.delivery_id).toMatch(/^dlv_[0-9a-f]{24}$/);

    running = [];
    await listener.stop();
    const store = HistoryStore.open(listener.dbPath);
    const received = store.list({ direction: 'in' }).map((s) => store.get(s.id)!);
    const sent = store.list({ direction: 'out' });
    store.close();
    expect(received.map((r) => r.deliveryId)).toEqual([result.delivery_id, 'dlv_first']);
    // Same bytes, a fresh valid signature, and not a duplicate: a replay is a new delivery.
    expect(received[0]!.requestBody.toString()).toBe(body);
    expect(received[0]!.signatureValid).toBe(true);
    expect(received[0]!.duplicate).toBe(false);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ source: 'replay', replayOf: 'dlv_first', deliveryId: result.delivery_id });
  });

  it('sends to --to with another secret, and replays what trigger sent', async () => {
    const configDir = tempDir();
    const first = await startRecordingServer();
    const second = await startRecordingServer(() => ({ status: 500, body: 'boom' }));
    apps.push(first, second);
    const sent = await runCli(
      ['trigger', 'catalog.product.created', '--to', `${first.url}/hooks`, '--secret', SECRET, '--json'],
      { configDir },
    );
    const deliveryId = (JSON.parse(sent.stdout) as { deliveries: Array<{ delivery_id: string }> }).deliveries[0]!
      .delivery_id;
    const replayed = await runCli(['replay', deliveryId, '--to', `${second.url}/other`, '--secret', 'other-secret'], {
      configDir,
    });
    // The target answered 500: the replay failed, and says so.
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toMatch(/✗ 500 +catalog\.product\.created +dlv_\w+ \(replay of dlv_\w+\)/);
    expect(replayed.stderr).toContain('error: the replay failed: the receiver answered 500');
    expect(second.requests).toHaveLength(1);
    expect(second.requests[0]!.url).toBe('/other');
    expect(second.requests[0]!.body.equals(first.requests[0]!.body)).toBe(true);
    expect(second.requests[0]!.headers['x-webhook-signature']).toBe(sign(first.requests[0]!.body, 'other-secret'));
    expect(second.requests[0]!.headers['x-webhook-delivery']).not.toBe(deliveryId);
  });

  it('exits 1 with one line for an unknown delivery id, and 2 without a secret', async () => {
    const configDir = tempDir();
    const unknown = await runCli(['replay', 'dlv_nope', '--secret', SECRET], { configDir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      `error: no delivery "dlv_nope" in ${join(configDir, 'history.db')} — find its id with webhooks-cli history`,
    );
    const noSecret = await runCli(['replay', 'dlv_nope'], { configDir });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/^error: no secret to sign the replay with — pass --secret/);
  });

  it('a request without a delivery id or event type: the error names its row and what is missing', async () => {
    const listener = await startListen(['--secret', SECRET]);
    running.push(listener);
    const body = '{"data": {"n": 1}}';
    await fetch(listener.url, { method: 'POST', body, headers: { 'x-webhook-signature': sign(body, SECRET) } });
    let row = '';
    await until(
      async () => {
        const listed = await runCli(['history', '--json'], { configDir: listener.configDir });
        row = String((JSON.parse(listed.stdout || '[]') as Array<{ id: number }>)[0]?.id ?? '');
        return row !== '';
      },
      10_000,
      'the request recorded',
    );
    const replayed = await runCli(['replay', row, '--secret', SECRET], { configDir: listener.configDir });
    expect(replayed.code).toBe(1);
    expect(replayed.stderr).toMatch(
      new RegExp(
        `^error: row #${row} \\(received at \\d\\d:\\d\\d:\\d\\d, no delivery id\\) has no event type to replay — `,
      ),
    );
    expect(replayed.stderr).not.toMatch(/undefined/);
  });

  it('never replays to the Host a received request named: it goes to the listener that received it', async () => {
    // The attack: an unsigned request whose Host names the attacker's server (answered 401), then a
    // replay, which would carry the attacker's body signed with the developer's secret.
    const attacker = await startRecordingServer();
    apps.push(attacker);
    const listener = await startListen(['--secret', SECRET]);
    running.push(listener);
    const body = '{"event":"customer.cart.added","data":{"sign":"me"}}';
    const answer = await rawPost(listener.port, `127.0.0.1:${attacker.port}`, body, {
      'X-Webhook-Event': 'customer.cart.added',
      'X-Webhook-Delivery': 'dlv_forged_host',
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    await until(
      async () => (await runCli(['history', 'show', 'dlv_forged_host'], { configDir: listener.configDir })).code === 0,
      10_000,
      'the request recorded',
    );
    const replayed = await runCli(['replay', 'dlv_forged_host', '--secret', SECRET, '--json'], {
      configDir: listener.configDir,
    });
    expect(attacker.requests).toHaveLength(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ url: listener.url, status: 200 });
    const shown = await runCli(['history', 'show', 'dlv_forged_host'], { configDir: listener.configDir });
    expect(shown.stdout).toContain(`listener   ${listener.url}  (where a replay goes)`);
  });

  it("asks for --to when a received request was recorded without its listener's address (an older history)", async () => {
    const attacker = await startRecordingServer();
    apps.push(attacker);
    const configDir = tempDir();
    const store = HistoryStore.open(join(configDir, 'history.db'));
    store.insert({
      direction: 'in',
      source: 'listen',
      createdAt: Date.now(),
      event: 'customer.cart.added',
      deliveryId: 'dlv_old_row',
      method: 'POST',
      url: '/webhook',
      remoteAddress: '127.0.0.1',
      requestHeaders: { host: `127.0.0.1:${attacker.port}` },
      requestBody: Buffer.from('{"event":"customer.cart.added","data":{}}'),
      status: 401,
      responseHeaders: null,
      responseBody: null,
      durationMs: 1,
      error: null,
      signatureValid: false,
      signatureError: 'no signature',
      duplicate: false,
      replayOf: null,
    });
    store.close();
    const replayed = await runCli(['replay', 'dlv_old_row', '--secret', SECRET], { configDir });
    expect(replayed.code).toBe(1);
    expect(replayed.stderr.trim()).toBe(
      'error: dlv_old_row was recorded without the address of the listener that received it, so where to replay it is not known — name the target: webhooks-cli replay dlv_old_row --to URL',
    );
    expect(attacker.requests).toHaveLength(0);
  });

  it('replay --set of a received body nested 10,000 deep is refused with one line, not a stack overflow', async () => {
    const configDir = tempDir();
    let deep = '{}';
    for (let i = 0; i < 10_000; i++) deep = `{"a":${deep}}`;
    const store = HistoryStore.open(join(configDir, 'history.db'));
    store.insert({
      direction: 'in',
      source: 'listen',
      createdAt: Date.now(),
      event: 'customer.cart.added',
      deliveryId: 'dlv_deep',
      method: 'POST',
      url: '/webhook',
      remoteAddress: '127.0.0.1',
      requestHeaders: {},
      requestBody: Buffer.from(`{"event":"customer.cart.added","data":${deep}}`),
      status: 401,
      responseHeaders: null,
      responseBody: null,
      durationMs: 1,
      error: null,
      signatureValid: false,
      signatureError: null,
      duplicate: false,
      replayOf: null,
      listenerUrl: 'http://127.0.0.1:9/webhook',
    });
    store.close();
    const replayed = await runCli(['replay', 'dlv_deep', '--set', 'data.quantity=1', '--secret', SECRET], {
      configDir,
    });
    expect(replayed.code).toBe(2);
    expect(replayed.stderr).toBe(
      'error: the recorded body nests more than 64 levels deep, too deep for --set — replay it without --set, or give the body with --data FILE',
    );
  });
});

/** A POST with exactly this Host header (fetch would send the URL's own), answered in full. */
function rawPost(port: number, host: string, body: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString();
      if (/\r\n\r\n[\s\S]*\}$/.test(answer)) socket.end();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(
      `POST /webhook HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
