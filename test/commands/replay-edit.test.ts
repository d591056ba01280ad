/** Edited replays: `--set`, `--data`, `--edit` send a changed body, re-signed, linked to the original. */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';
import { skipWithout } from '../helpers/required-program.js';
import { runCli } from '../helpers/run-cli.js';

const SECRET = 'edit-secret';
let running: RunningListener[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.stop()));
});

/** A listener (which verifies every signature) and one delivery sent to it by trigger. */
async function sentDelivery() {
  const listener = await startListen(['--secret', SECRET]);
  running.push(listener);
  const configDir = tempDir();
  const sent = await runCli(
    ['trigger', 'catalog.product.updated', '--to', listener.url, '--secret', SECRET, '--json'],
    { configDir },
  );
  expect(sent.code).toBe(0);
  const id = (JSON.parse(sent.stdout) as { deliveries: Array<{ delivery_id: string }> }).deliveries[0]!.delivery_id;
  return { listener, configDir, id };
}

/** What the listener received for `deliveryId`, once it has stopped and written everything. */
async function receivedBy(listener: RunningListener, deliveryId: string) {
  running = running.filter((l) => l !== listener);
  await listener.stop();
  const store = HistoryStore.open(listener.dbPath);
  try {
    return store.get(deliveryId)!;
  } finally {
    store.close();
  }
}

describe('edited replay', () => {
  it('--set changes a field; the receiver verifies the new signature; the history links it to the original', async () => {
    const { listener, configDir, id } = await sentDelivery();
    const replayed = await runCli(
      ['replay', id, '--set', 'data.quantity=0', '--set', 'data.sku="TEE-9"', '--secret', SECRET, '--json'],
      { configDir },
    );
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    const result = JSON.parse(replayed.stdout) as { delivery_id: string; replay_of: string; status: number };
    expect(result).toMatchObject({ replay_of: id, status: 200 });
    const received = await receivedBy(listener, result.delivery_id);
    expect(received.signatureValid).toBe(true);
    expect(JSON.parse(received.requestBody.toString()).data).toMatchObject({ quantity: 0, sku: 'TEE-9' });
    const store = HistoryStore.open(join(configDir, 'history.db'));
    expect(store.get(result.delivery_id)).toMatchObject({ source: 'replay', replayOf: id });
    store.close();
  });

  it('--set on a field the body lacks is a usage error naming it', async () => {
    const { configDir, id } = await sentDelivery();
    const replayed = await runCli(['replay', id, '--set', 'data.quantiy=0', '--secret', SECRET], { configDir });
    expect(replayed.code).toBe(2);
    expect(replayed.stderr).toMatch(
      /^error: --set data\.quantiy=0: the payload has no field "data\.quantiy" — did you mean data\.quantity\?/,
    );
  });

  it('--data FILE sends the file byte for byte, re-signed', async () => {
    const { listener, configDir, id } = await sentDelivery();
    const file = join(tempDir(), 'body.json');
    const bytes =
      '{\n  "event": "catalog.product.updated",\n  "timestamp": "2026-01-01T00:00:00Z",\n  "data": {"sku": "caf\u00e9", "quantity": 1}\n}\n';
    writeFileSync(file, bytes);
    const replayed = await runCli(['replay', id, '--data', file, '--secret', SECRET, '--json'], { configDir });
    expect(replayed.code).toBe(0);
    const received = await receivedBy(listener, (JSON.parse(replayed.stdout) as { delivery_id: string }).delivery_id);
    expect(received.requestBody.toString()).toBe(bytes);
    expect(received.signatureValid).toBe(true);
  });

  it('--edit sends what the editor wrote; unchanged or empty aborts; invalid JSON without a terminal is refused in one line', async () => {
    const { listener, configDir, id } = await sentDelivery();
    const edit = (editor: string) =>
      runCli(['replay', id, '--edit', '--secret', SECRET, '--json'], {
        configDir,
        env: { EDITOR: editor, VISUAL: '' },
      });

    const unchanged = await edit('true');
    expect(unchanged.code).toBe(1);
    expect(unchanged.stderr).toMatch(/^error: replay aborted: the body was not changed/);
    const emptied = await edit('truncate -s 0');
    expect(emptied.stderr).toMatch(/^error: replay aborted: the edited body is empty/);
    const broken = await edit(`sed -i 's/}$/,/'`);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: the edited body is not valid JSON \(.*\) — nothing was sent/);
    expect(broken.stderr.split('\n')).toHaveLength(1);

    const changed = await edit(`sed -i 's/"quantity":[0-9]*/"quantity":7/'`);
    expect(changed.stderr).toBe('');
    expect(changed.code).toBe(0);
    const received = await receivedBy(listener, (JSON.parse(changed.stdout) as { delivery_id: string }).delivery_id);
    expect(JSON.parse(received.requestBody.toString()).data.quantity).toBe(7);
    expect(received.signatureValid).toBe(true);
    // Only the one edited replay reached the listener; the aborted ones sent nothing.
    const store = HistoryStore.open(join(configDir, 'history.db'));
    expect(store.list({ direction: 'out' }).filter((r) => r.source === 'replay')).toHaveLength(1);
    store.close();
  });

  it.skipIf(skipWithout('vim.tiny', ['--version']))(
    '--edit with vim: saved unchanged (vim adds a final newline) aborts; a real change is sent without that newline',
    async () => {
      const { listener, configDir, id } = await sentDelivery();
      const vim = (...commands: string[]) =>
        runCli(['replay', id, '--edit', '--secret', SECRET, '--json'], {
          configDir,
          env: { EDITOR: `vim.tiny -u NONE -es ${commands.map((c) => `'+${c}'`).join(' ')}`, VISUAL: '' },
        });

      const saved = await vim('wq');
      expect(saved.stderr).toMatch(/^error: replay aborted: the body was not changed/);
      expect(saved.code).toBe(1);
      const added = await runCli(['replay', id, '--edit', '--secret', SECRET], {
        configDir,
        env: { EDITOR: 'echo >>', VISUAL: '' },
      });
      expect(added.stderr).toMatch(/^error: replay aborted: the body was not changed/);

      const changed = await vim('s/"quantity":[0-9]*/"quantity":3/', 'wq');
      expect(changed.stderr).toBe('');
      const received = await receivedBy(listener, (JSON.parse(changed.stdout) as { delivery_id: string }).delivery_id);
      expect(received.requestBody.toString()).toMatch(/"quantity":3.*}$/);
      expect(received.signatureValid).toBe(true);
    },
  );
});
