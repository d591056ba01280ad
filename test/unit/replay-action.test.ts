import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { replayAction, replayThroughListener } from '../../src/delivery/replay-action.js';
import { startListener } from '../../src/receiver/index.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { tempDir } from '../helpers/cli.js';
import { deliveryRecord } from '../helpers/records.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function sentTo(url: string, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return deliveryRecord({
    id: 3,
    direction: 'out',
    source: 'trigger',
    createdAt: 0,
    event: 'customer.cart.added',
    deliveryId: 'dlv_original',
    url,
    remoteAddress: null,
    requestBody: Buffer.from('{ "event": "customer.cart.added" }'),
    signatureValid: null,
    ...overrides,
  });
}

describe('replayAction', () => {
  it('re-sends the same bytes signed with the given secret, hands the new delivery to record, and says how it went', async () => {
    server = await startRecordingServer(() => ({ status: 202 }));
    const recorded: DeliveryRecord[] = [];
    const replay = replayAction({
      secret: 'k',
      noSecretHint: 'give one',
      record: (r) => void recorded.push(r),
    });
    const message = await replay(sentTo(`http://user:pw@127.0.0.1:${server.port}/hook`));
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req!.body.toString()).toBe('{ "event": "customer.cart.added" }');
    expect(verify(req!.body, req!.headers['x-webhook-signature'], ['k']).valid).toBe(true);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ source: 'replay', replayOf: 'dlv_original', status: 202 });
    // The target is named, its password not.
    expect(message).toMatch(
      new RegExp(
        `^✓ replayed dlv_original as ${recorded[0]!.deliveryId} to http://user:\\*+@127\\.0\\.0\\.1:${server.port}/hook → 202 in `,
      ),
    );
    expect(message).not.toContain('pw@');
  });

  it('without a secret sends nothing and says how to give one; a failed answer is ✗ and still recorded', async () => {
    server = await startRecordingServer(() => ({ status: 500 }));
    const recorded: DeliveryRecord[] = [];
    const none = replayAction({
      secret: undefined,
      noSecretHint: 'set WEBHOOKS_SECRET',
      record: (r) => void recorded.push(r),
    });
    expect(await none(sentTo(server.url))).toBe('cannot replay: no secret to sign with (set WEBHOOKS_SECRET)');
    expect(server.requests).toHaveLength(0);

    const failing = replayAction({ secret: 'k', noSecretHint: '', record: (r) => void recorded.push(r) });
    expect(await failing(sentTo(server.url, { deliveryId: null }))).toMatch(
      /^✗ replayed #3 as dlv_\w+ to http:\/\/127\.0\.0\.1:\d+ → 500 in /,
    );
    expect(recorded).toHaveLength(1);
  });

  it("the live view's r replays a received request to the listener itself, never to the Host it named, and says where", async () => {
    server = await startRecordingServer();
    const listener = await startListener({ dbPath: join(tempDir(), 'history.db'), port: 0, secrets: ['k'] });
    try {
      const seen: DeliveryRecord[] = [];
      listener.onRecord((r) => void seen.push(r));
      const body = Buffer.from('{"event":"customer.cart.added","data":{}}');
      await listener.handler({
        method: 'POST',
        path: '/webhook?tenant=acme',
        headers: { host: `127.0.0.1:${server.port}`, 'x-webhook-event': 'customer.cart.added' },
        body,
        remoteAddress: '127.0.0.1',
        via: 'local',
      });
      expect(seen[0]).toMatchObject({ status: 401, listenerUrl: listener.url });
      const message = await replayThroughListener(listener)(seen[0]!);
      expect(server.requests).toHaveLength(0);
      expect(message).toMatch(
        new RegExp(`^✓ replayed request as dlv_\\w+ to ${literal(listener.url)}\\?tenant=acme → 200 in `),
      );
    } finally {
      await listener.close();
    }
  });

  it('explains, instead of sending anywhere, when a received request has no recorded listener address', async () => {
    server = await startRecordingServer();
    const replay = replayAction({ secret: 'k', noSecretHint: '', record: () => {} });
    const message = await replay(
      sentTo('/webhook', { direction: 'in', requestHeaders: { host: `127.0.0.1:${server.port}` } }),
    );
    expect(message).toBe(
      'replay failed: dlv_original was recorded without the address of the listener that received it, so where to replay it is not known — name the target: webhooks-cli replay dlv_original --to URL',
    );
    expect(server.requests).toHaveLength(0);
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
