import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
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

async function listen(args: string[], options?: Parameters<typeof startListen>[1]) {
  const listener = await startListen(args, options);
  running.push(listener);
  return listener;
}

/** Stops the listener (SIGTERM) and reads back what it recorded, oldest first. */
async function stopAndReadHistory(listener: RunningListener) {
  running = running.filter((l) => l !== listener);
  const result = await listener.stop();
  expect(result.exitCode).toBe(0);
  const store = HistoryStore.open(listener.dbPath);
  try {
    return {
      result,
      rows: store
        .list({ direction: 'in', limit: 100_000 })
        .reverse()
        .map((s) => store.get(s.id)!),
    };
  } finally {
    store.close();
  }
}

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

function signedHeaders(
  body: string | Buffer,
  deliveryId = `dlv_${Math.random().toString(16).slice(2)}`,
  secret = SECRET,
) {
  return {
    'x-webhook-event': 'customer.cart.added',
    'x-webhook-delivery': deliveryId,
    'x-webhook-signature': sign(body, secret),
  };
}

describe('listen', () => {
  it('verifies and records every delivery of trigger --all', async () => {
    const listener = await listen(['--secret', SECRET]);
    const sent = await spawnCli(['trigger', '--all', '--to', listener.url, '--secret', SECRET], {
      configDir: listener.configDir,
    });
    expect(sent.exitCode).toBe(0);
    const { rows, result } = await stopAndReadHistory(listener);
    expect(rows).toHaveLength(16);
    expect(rows.every((r) => r.signatureValid === true && r.status === 200 && !r.duplicate)).toBe(true);
    expect(new Set(rows.map((r) => r.event)).size).toBe(16);
    // One line per request on stdout, without a TTY.
    expect(result.stdout.split('\n').filter((l) => l.includes('✓ 200'))).toHaveLength(16);
    expect(result.stderr).toContain('stopped: 16 requests received');
  });

  it('answers 401 to wrong and missing signatures, records why, and accepts any of several secrets', async () => {
    const listener = await listen(['--secret', 'old-secret', '--secret', SECRET]);
    const body = JSON.stringify({ event: 'customer.cart.added', timestamp: '2026-01-01T00:00:00Z', data: {} });
    expect((await post(listener.url, body, signedHeaders(body, 'dlv_wrong', 'not-the-secret'))).status).toBe(401);
    expect((await post(listener.url, body, { 'x-webhook-delivery': 'dlv_missing' })).status).toBe(401);
    expect(
      (await post(listener.url, body, { 'x-webhook-signature': 'sha256=zz', 'x-webhook-delivery': 'dlv_malformed' }))
        .status,
    ).toBe(401);
    expect((await post(listener.url, body, signedHeaders(body, 'dlv_old', 'old-secret'))).status).toBe(200);
    const { rows } = await stopAndReadHistory(listener);
    expect(rows.map((r) => [r.deliveryId, r.status, r.signatureValid])).toEqual([
      ['dlv_wrong', 401, false],
      ['dlv_missing', 401, false],
      ['dlv_malformed', 401, false],
      ['dlv_old', 200, true],
    ]);
    expect(rows[0]!.signatureError).toMatch(/does not match/);
    expect(rows[1]!.signatureError).toMatch(/no X-Webhook-Signature/);
    expect(rows[0]!.requestBody.toString()).toBe(body);
  });

  it('flags a delivery id that was accepted before as a duplicate, and still answers 200', async () => {
    const listener = await listen(['--secret', SECRET]);
    const body = '{"event":"customer.cart.added","data":{}}';
    expect((await post(listener.url, body, signedHeaders(body, 'dlv_same'))).status).toBe(200);
    const again = await post(listener.url, body, signedHeaders(body, 'dlv_same'));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const { rows } = await stopAndReadHistory(listener);
    expect(rows.map((r) => r.duplicate)).toEqual([false, true]);
  });

  it('answers 413 to a 2 MiB body, 404 to other paths, 405 to other methods — all recorded', async () => {
    const listener = await listen(['--secret', SECRET]);
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    expect((await post(listener.url, big, signedHeaders(big))).status).toBe(413);
    expect((await post(listener.url.replace('/webhook', '/other'), '{}')).status).toBe(404);
    const get = await fetch(listener.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const { rows } = await stopAndReadHistory(listener);
    expect(rows.map((r) => r.status)).toEqual([413, 404, 405]);
    expect(rows[0]!.error).toMatch(/exceeds the limit of 1048576 bytes/);
  });

  it('respects --max-body while reading a body sent without Content-Length', async () => {
    const listener = await listen(['--secret', SECRET, '--max-body', '1kb']);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(listener.url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(800, 'a'));
      req.write(Buffer.alloc(800, 'a'));
      req.end();
    });
    expect(status).toBe(413);
    const { rows } = await stopAndReadHistory(listener);
    expect(rows.map((r) => r.status)).toEqual([413]);
  });

  it('answers 400 to a signed body that is not JSON or not UTF-8, unless --no-verify', async () => {
    const listener = await listen(['--secret', SECRET]);
    const notJson = 'hello';
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x81]);
    expect((await post(listener.url, notJson, signedHeaders(notJson))).status).toBe(400);
    expect((await post(listener.url, binary, signedHeaders(binary))).status).toBe(400);
    const { rows } = await stopAndReadHistory(listener);
    expect(rows.map((r) => [r.status, r.signatureValid])).toEqual([
      [400, true],
      [400, true],
    ]);
    expect(rows[0]!.error).toMatch(/not valid JSON/);
    expect(rows[1]!.error).toMatch(/not valid UTF-8/);
    expect(rows[1]!.requestBody.equals(binary)).toBe(true);

    const lenient = await listen(['--no-verify', '--secret', SECRET, '--respond-status', '202']);
    expect((await post(lenient.url, binary, { 'x-webhook-signature': 'sha256=bad' })).status).toBe(202);
    const { rows: recorded } = await stopAndReadHistory(lenient);
    expect(recorded.map((r) => [r.status, r.signatureValid])).toEqual([[202, false]]);
  });

  it('prints JSON lines with --json', async () => {
    const listener = await listen(['--secret', SECRET, '--json']);
    const body = '{"event":"customer.cart.added","data":{}}';
    await post(listener.url, body, signedHeaders(body, 'dlv_json'));
    const { result } = await stopAndReadHistory(listener);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'listening', port: listener.port });
    expect(lines[1]).toMatchObject({
      type: 'request',
      delivery_id: 'dlv_json',
      status: 200,
      signature_valid: true,
      event: 'customer.cart.added',
    });
  });

  it('forwards raw bytes and headers to a local app and returns its answer; 502 when the app is down', async () => {
    const app = await startRecordingServer(() => ({ status: 202, body: 'queued', headers: { 'x-app': 'yes' } }));
    apps.push(app);
    const listener = await listen(['--secret', SECRET, '--forward-to', `${app.url}/hooks`]);
    // Deliberately odd spacing: the bytes must arrive unchanged for the app to verify them.
    const body = '{ "event" : "customer.cart.added",\n  "data": {"price": 1.50} }';
    const answer = await post(listener.url, body, signedHeaders(body, 'dlv_fwd'));
    expect(answer.status).toBe(202);
    expect(answer.headers.get('x-app')).toBe('yes');
    expect(await answer.text()).toBe('queued');
    expect(app.requests).toHaveLength(1);
    expect(app.requests[0]!.url).toBe('/hooks');
    expect(app.requests[0]!.body.toString()).toBe(body);
    expect(app.requests[0]!.headers['x-webhook-signature']).toBe(sign(body, SECRET));
    await app.close();
    apps = [];
    expect((await post(listener.url, body, signedHeaders(body, 'dlv_down'))).status).toBe(502);
    const { rows } = await stopAndReadHistory(listener);
    expect(rows.map((r) => [r.deliveryId, r.status])).toEqual([
      ['dlv_fwd', 202],
      ['dlv_down', 502],
    ]);
    expect(rows[0]!.responseBody?.toString()).toBe('queued');
    expect(rows[1]!.error).toMatch(/connection refused by 127\.0\.0\.1:\d+ — is the app running on that port\?/);
  });

  it('answers 504 when the app is too slow', async () => {
    const app = await startRecordingServer(() => ({ status: 200, delayMs: 2_000 }));
    apps.push(app);
    const listener = await listen(['--secret', SECRET, '--forward-to', app.url, '--forward-timeout', '200ms']);
    const body = '{"event":"customer.cart.added","data":{}}';
    expect((await post(listener.url, body, signedHeaders(body))).status).toBe(504);
    const { rows } = await stopAndReadHistory(listener);
    expect(rows[0]!.error).toMatch(/did not answer within 200 ms/);
  });

  it("on SIGTERM, finishes a request still being forwarded, answers it with the app's answer and records it", async () => {
    const app = await startRecordingServer(() => ({ status: 201, body: 'late but fine', delayMs: 800 }));
    apps.push(app);
    const listener = await listen(['--secret', SECRET, '--forward-to', app.url]);
    const body = '{"event":"customer.cart.added","data":{}}';
    const answer = post(listener.url, body, signedHeaders(body, 'dlv_inflight'));
    await until(() => app.requests.length > 0, 10_000, 'the request forwarded');
    const { rows } = await stopAndReadHistory(listener);
    const response = await answer;
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('late but fine');
    expect(rows.map((r) => [r.deliveryId, r.status])).toEqual([['dlv_inflight', 201]]);
  });

  it('refuses a remote --forward-to without --allow-remote-forward', async () => {
    const result = await spawnCli([
      'listen',
      '--port',
      '0',
      '--secret',
      SECRET,
      '--forward-to',
      'http://example.com/hooks',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: --forward-to example.com is not on this machine — .*--allow-remote-forward/);
  });

  it('exits 1 with one clear line when the port is in use', async () => {
    const first = await listen(['--secret', SECRET]);
    const second = await spawnCli(['listen', '--port', String(first.port), '--secret', SECRET], {
      configDir: tempDir(),
    });
    expect(second.exitCode).toBe(1);
    expect(second.stderr.trim()).toBe(
      `error: port ${first.port} on 127.0.0.1 is already in use — stop the other process or pass --port <another>`,
    );
  });

  it('asks for a secret unless --no-verify', async () => {
    const result = await spawnCli(['listen', '--port', '0']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no secret to verify signatures with — pass --secret/);
  });

  it('refuses a 1xx --respond-status: it is no final answer, and a sender given one waits for another', async () => {
    const result = await spawnCli(['listen', '--port', '0', '--no-verify', '--respond-status', '100']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--respond-status.*expected a whole number from 200 to 599/);
  });

  it('keeps all of 5,000 concurrent signed requests after SIGTERM', async () => {
    const listener = await listen(['--secret', SECRET]);
    const sent = await spawnCli(
      [
        'trigger',
        'customer.cart.added',
        '--count',
        '5000',
        '--concurrency',
        '250',
        '--to',
        listener.url,
        '--secret',
        SECRET,
        '--json',
      ],
      {
        configDir: tempDir(),
      },
    );
    expect(sent.exitCode).toBe(0);
    expect(JSON.parse(sent.stdout).summary.succeeded).toBe(5000);
    // SIGTERM right after the last answer: whatever is still batched must be written first.
    const { rows, result } = await stopAndReadHistory(listener);
    expect(rows).toHaveLength(5000);
    expect(new Set(rows.map((r) => r.deliveryId)).size).toBe(5000);
    expect(result.stderr).toContain('stopped: 5000 requests received');
  });
});
