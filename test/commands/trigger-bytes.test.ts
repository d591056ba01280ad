/**
 * `trigger --data FILE` with a whole envelope sends the file's bytes exactly, signed over those
 * bytes; `--pretty` indents like the platform document. A recording server on a loopback port
 * checks the bytes and verifies the signature with its own HMAC, not our code.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const hmac = (body: Buffer) => `sha256=${createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(body).digest('hex')}`;

// Written the way the platform document prints payloads: indented, `89.90`, a non-ASCII name
// with an escape, a slash escaped, a trailing newline — everything a re-serialisation would change.
const AS_WRITTEN = `{
  "event": "catalog.product.created",
  "timestamp": "2023-12-01T10:30:00Z",
  "data": {
    "product_id": "prod_12345",
    "name": "Robe d'\\u00e9t\u00e9",
    "price": 89.90,
    "weight_kg": 1.0,
    "url": "https:\\/\\/shop.example.com\\/p\\/12345",
    "currency": "USD"
  }
}
`;

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// The envelope carries fields the schema does not declare (weight_kg, url) for their odd bytes:
// these tests are about bytes, so the schema check is off.
function trigger(args: string[]) {
  const dir = tempDir();
  return runCli(
    [
      '--db',
      join(dir, 'history.db'),
      'trigger',
      '--to',
      `${server!.url}/webhook`,
      '--secret',
      SECRET,
      '--no-validate',
      ...args,
    ],
    { configDir: dir },
  );
}

describe('trigger --data sends a whole envelope byte for byte', () => {
  it('the receiver gets exactly the file, and the signature verifies over those bytes', async () => {
    server = await startRecordingServer((req) => ({
      status: req.headers['x-webhook-signature'] === hmac(req.body) ? 200 : 401,
    }));
    const file = join(tempDir(), 'envelope.json');
    writeFileSync(file, AS_WRITTEN);
    const run = await trigger(['--data', file]);
    expect(run.code).toBe(0);
    const [req] = server.requests;
    expect(server.requests).toHaveLength(1);
    expect(req!.headers['x-webhook-event']).toBe('catalog.product.created');
    expect(req!.body.equals(Buffer.from(AS_WRITTEN, 'utf8'))).toBe(true);
    expect(req!.headers['x-webhook-signature']).toBe(hmac(Buffer.from(AS_WRITTEN, 'utf8')));
  });

  it('from standard input too', async () => {
    server = await startRecordingServer();
    const dir = tempDir();
    const run = await runCli(
      ['--db', join(dir, 'h.db'), 'trigger', '--no-validate', '--to', server.url, '--secret', SECRET, '--data', '-'],
      { configDir: dir, stdin: AS_WRITTEN },
    );
    expect(run.code).toBe(0);
    expect(server.requests.at(-1)!.body.toString('utf8')).toBe(AS_WRITTEN);
  });

  it('--set changes the envelope, so it is serialised once, compact', async () => {
    server = await startRecordingServer();
    const file = join(tempDir(), 'envelope.json');
    writeFileSync(file, AS_WRITTEN);
    expect((await trigger(['--data', file, '--set', 'data.price=10'])).code).toBe(0);
    const body = server.requests[0]!.body;
    expect(body.toString('utf8')).toBe(
      JSON.stringify({ ...JSON.parse(AS_WRITTEN), data: { ...JSON.parse(AS_WRITTEN).data, price: 10 } }),
    );
    expect(server.requests[0]!.headers['x-webhook-signature']).toBe(hmac(body));
  });

  it('--pretty indents any delivery with 2 spaces, signed over the indented bytes', async () => {
    server = await startRecordingServer();
    expect((await trigger(['catalog.product.created', '--pretty'])).code).toBe(0);
    const body = server.requests[0]!.body;
    const text = body.toString('utf8');
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2));
    expect(text).toMatch(/^\{\n {2}"event": "catalog\.product\.created",\n {2}"timestamp": /);
    expect(server.requests[0]!.headers['x-webhook-signature']).toBe(hmac(body));
  });
});
