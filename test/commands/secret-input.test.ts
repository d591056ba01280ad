/**
 * `--secret-file FILE` and `--secret -` on every command that takes `--secret`: the secret is
 * read from a file or standard input, so it never shows in `ps` (or /proc/PID/cmdline) or in
 * shell history, and it works exactly as the flag does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/core/signature.js';
import { jsonAnswer } from '../helpers/api-stand-in.js';
import { tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 'whsec_out-of-sight-7f3a';
const OLD_SECRET = 'whsec_rotated-out-91c2';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function secretFile(...secrets: string[]): string {
  const file = join(tempDir(), 'webhook-secret');
  writeFileSync(file, `${secrets.join('\n')}\n`, { mode: 0o600 });
  return file;
}

async function receiver(respond?: () => { status: number }): Promise<RecordingServer> {
  const server = await startRecordingServer(respond);
  cleanups.push(() => server.close());
  return server;
}

describe('--secret-file and --secret -', () => {
  it('sign and verify read the secret (verify: several, one a line), and refuse two readers of standard input', async () => {
    const payload = join(tempDir(), 'body.json');
    writeFileSync(payload, '{"event":"customer.cart.added"}');
    const expected = sign(readFileSync(payload), SECRET);
    const fromFile = await runCli(['sign', '--secret-file', secretFile(SECRET), '--payload', payload]);
    expect([fromFile.code, fromFile.stdout]).toEqual([0, expected]);
    const fromStdin = await runCli(['sign', '--secret', '-', '--payload', payload], { stdin: `${SECRET}\n` });
    expect([fromStdin.code, fromStdin.stdout]).toEqual([0, expected]);

    const verified = await runCli([
      'verify',
      '--secret-file',
      secretFile(OLD_SECRET, SECRET),
      '--signature',
      expected,
      '--payload',
      payload,
    ]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('matches secret #2');

    const both = await runCli(['sign', '--secret', '-'], { stdin: SECRET });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'error: --secret - and --payload - both read standard input — give one of them a file: --secret-file FILE, or --payload FILE',
    );
    const none = await runCli(['sign', '--payload', payload]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: no secret to sign with — pass --secret S, or keep it out of ps/);
    const twice = await runCli(['sign', '--secret', 'x', '--secret-file', secretFile(SECRET), '--payload', payload]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^error: the secret is given twice/);
  });

  it('trigger, replay and smoke sign with it', async () => {
    const app = await receiver();
    const configDir = tempDir();
    const file = secretFile(SECRET);
    const sent = await runCli(['trigger', 'customer.cart.added', '--to', app.url, '--secret-file', file, '--json'], {
      configDir,
    });
    expect(sent.code, sent.stderr).toBe(0);
    const id = (JSON.parse(sent.stdout) as { deliveries: Array<{ delivery_id: string }> }).deliveries[0]!.delivery_id;
    const replayed = await runCli(['replay', id, '--secret', '-'], { configDir, stdin: `${SECRET}\n` });
    expect(replayed.code, replayed.stderr).toBe(0);
    await runCli(['smoke', '--url', app.url, '--secret-file', file, '--events', 'customer.cart.added']);
    expect(app.requests.length).toBeGreaterThan(3);
    const signed = app.requests.filter((r) => r.headers['x-webhook-signature']);
    // Every signed request of all three carries a signature made with the secret read (smoke also
    // sends some signed with a wrong one, on purpose: those are the ones that do not verify).
    expect(signed.slice(0, 2).every((r) => verify(r.body, r.headers['x-webhook-signature'], [SECRET]).valid)).toBe(
      true,
    );
    expect(signed.some((r, i) => i >= 2 && verify(r.body, r.headers['x-webhook-signature'], [SECRET]).valid)).toBe(
      true,
    );
  });

  it('register and update send it to the API', async () => {
    const answered = await startRecordingServer((req) =>
      jsonAnswer(req.method === 'POST' ? 201 : 200, {
        id: 'wh_1',
        url: 'https://example.com/hook',
        events: ['catalog.product.created'],
        active: true,
      }),
    );
    cleanups.push(() => answered.close());
    const cli = (args: string[], stdin?: string) =>
      runCli(['--api-url', answered.url, '--token', 't', ...args], { stdin });
    expect(
      (
        await cli([
          'register',
          '--url',
          'https://example.com/hook',
          '--events',
          'catalog.product.created',
          '--secret-file',
          secretFile(SECRET),
        ])
      ).code,
    ).toBe(0);
    expect((await cli(['update', 'wh_1', '--secret', '-'], `${OLD_SECRET}\n`)).code).toBe(0);
    const bodies = answered.requests.map((r) => JSON.parse(r.body.toString()) as { secret?: string });
    expect(bodies.map((b) => b.secret)).toEqual([SECRET, OLD_SECRET]);
  });

  it("listen verifies with the file's secrets, and neither shows in its command line (what ps reads)", async () => {
    const listener: RunningListener = await startListen(['--secret-file', secretFile(OLD_SECRET, SECRET)]);
    cleanups.push(() => listener.stop());
    const cmdline = readFileSync(`/proc/${listener.process.pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('--secret-file');
    expect(cmdline).not.toContain(SECRET);
    const body = '{"event":"customer.cart.added","data":{}}';
    for (const secret of [SECRET, OLD_SECRET, 'wrong']) {
      const answer = await fetch(listener.url, {
        method: 'POST',
        body,
        headers: { 'x-webhook-event': 'customer.cart.added', 'x-webhook-signature': sign(body, secret) },
      });
      expect(answer.status, secret).toBe(secret === 'wrong' ? 401 : 200);
    }
    const stopped = await listener.stop();
    // The banner masks them, as it does flags.
    expect(stopped.stderr).toContain('secrets wh********, wh********');
    expect(stopped.stderr).not.toContain(SECRET);
  });
});
