/** `history` in-process: read-only commands create nothing, and `history show` finds rows by id or delivery id. */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { deliveryRecord } from '../helpers/records.js';
import { runCli } from '../helpers/run-cli.js';

const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

describe('read-only commands and a mistyped --db', () => {
  it.each([[['history']], [['history', 'show', '1']], [['history', 'export']], [['history', '--json']]])(
    '%j says the database does not exist and creates nothing',
    async (args) => {
      const missing = join(tempDir(), 'no-such-folder', 'histroy.db');
      const r = await runCli([...args, '--db', missing]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no history database at ${missing}`);
      oneLine(r.stderr);
      expect(existsSync(join(missing, '..'))).toBe(false);
    },
  );
});

describe('history show', () => {
  it('aligns the path line of a received delivery with the others', async () => {
    const db = join(tempDir(), 'h.db');
    const store = HistoryStore.open(db);
    store.insert(deliveryRecord({ deliveryId: 'dlv_in' }));
    store.close();
    const shown = await runCli(['history', 'show', 'dlv_in', '--db', db]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n').slice(0, 6);
    expect(lines[4]).toMatch(/^path {7}POST \/webhook/);
    expect(new Set(lines.map((l) => /^\S+ +/.exec(l)![0].length)).size).toBe(1);
  });
});

describe('history show --curl', () => {
  it('prints a curl command that sends the delivery again: the same bytes, headers and signature, never the secret', async () => {
    const secret = "it's a s3cret";
    const received: Array<{ body: Buffer; headers: Record<string, string | string[] | undefined> }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks), headers: req.headers });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?tenant=a'b`;
    try {
      const configDir = tempDir();
      // A body with a quote, a newline and non-ASCII text: the shell quoting must keep every byte.
      const data = join(tempDir(), 'data.json');
      writeFileSync(data, '{"sku": "it\'s", "name": "caf\u00e9\\nété"}');
      const sent = await runCli(
        [
          'trigger',
          'customer.cart.added',
          '--data',
          data,
          '--pretty',
          '--to',
          url,
          '--secret',
          secret,
          '--header',
          'X-Tenant: acme',
          '--no-validate',
        ],
        { configDir },
      );
      expect(sent.code).toBe(0);
      const shown = await runCli(['history', 'show', '1', '--curl'], { configDir });
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/^curl -sS -X POST '/);
      expect(shown.stdout).not.toContain(secret.replace("'", ''));
      // Run by a shell, as a user pastes it (the server answers from this process: not a blocking spawn).
      const resent = await execa('sh', ['-c', shown.stdout], { reject: false });
      expect(resent.exitCode, resent.stderr).toBe(0);
      expect(received).toHaveLength(2);
      const [original, again] = received as [(typeof received)[0], (typeof received)[0]];
      expect(again.body.equals(original.body)).toBe(true);
      for (const header of [
        'x-webhook-signature',
        'x-webhook-event',
        'x-webhook-delivery',
        'content-type',
        'user-agent',
        'x-tenant',
      ])
        expect(again.headers[header], header).toBe(original.headers[header]);
      expect(verify(again.body, again.headers['x-webhook-signature'], [secret]).valid).toBe(true);
      const json = JSON.parse((await runCli(['--json', 'history', 'show', '1', '--curl'], { configDir })).stdout);
      expect(json).toEqual({ curl: shown.stdout });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('history prune', () => {
  function historyWithAges(db: string, agesInDays: number[]): void {
    const store = HistoryStore.open(db);
    store.insertMany(
      agesInDays.map((days, i) =>
        deliveryRecord({
          direction: 'out',
          source: 'trigger',
          createdAt: Date.now() - days * 86_400_000,
          event: 'customer.cart.added',
          deliveryId: `dlv_${i}`,
          url: 'http://127.0.0.1:9/webhook',
          remoteAddress: null,
          signatureValid: null,
        }),
      ),
    );
    store.close();
  }

  it('--before 7d deletes what is older than a week; --keep N all but the newest N', async () => {
    const db = join(tempDir(), 'h.db');
    historyWithAges(db, [30, 10, 8, 6, 1, 0]);
    const week = await runCli(['history', 'prune', '--before', '7d', '--db', db]);
    expect(week.code).toBe(0);
    expect(week.stdout).toBe(`removed 3 deliveries older than 7d; 3 kept in ${db}`);
    const ids = async () =>
      (JSON.parse((await runCli(['--json', 'history', '--db', db])).stdout) as Array<{ delivery_id: string }>).map(
        (r) => r.delivery_id,
      );
    expect(await ids()).toEqual(['dlv_5', 'dlv_4', 'dlv_3']);
    const keep = await runCli(['--json', 'history', 'prune', '--keep', '1', '--db', db]);
    expect(JSON.parse(keep.stdout)).toEqual({ removed: 2, kept: 1 });
    expect(await ids()).toEqual(['dlv_5']);
  });

  it('needs exactly one of --before and --keep, and a readable age', async () => {
    const db = join(tempDir(), 'h.db');
    historyWithAges(db, [1]);
    for (const args of [[], ['--before', '7d', '--keep', '3']]) {
      const r = await runCli(['history', 'prune', ...args, '--db', db]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: history prune needs one of --before and --keep — /);
    }
    const bad = await runCli(['history', 'prune', '--before', '7', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/7d, 12h, 30m or 2w/);
  });
});

describe('deliveries a relay held', () => {
  it('show `held 3m12s` in the table, in `history show`, and held_ms in JSON', async () => {
    const db = join(tempDir(), 'h.db');
    const store = HistoryStore.open(db);
    store.insert(deliveryRecord({ source: 'relay', deliveryId: 'dlv_live' }));
    store.insert(deliveryRecord({ source: 'relay', deliveryId: 'dlv_held', heldMs: 192_000 }));
    store.close();

    const table = await runCli(['history', '--db', db]);
    expect(table.stdout.split('\n')[0]).toMatch(/DURATION {2}NOTE$/);
    expect(table.stdout).toMatch(/dlv_held .* held 3m12s$/m);
    expect(table.stdout).toMatch(/dlv_live .*1\.0 ms +$/m);
    const json = JSON.parse((await runCli(['--json', 'history', '--db', db])).stdout) as Array<Record<string, unknown>>;
    expect(json.map((r) => [r.delivery_id, r.held_ms])).toEqual([
      ['dlv_held', 192_000],
      ['dlv_live', null],
    ]);
    const shown = await runCli(['history', 'show', 'dlv_held', '--db', db]);
    expect(shown.stdout).toMatch(/^held {7}3m12s by the relay \(no listener was connected\)$/m);
  });
});
