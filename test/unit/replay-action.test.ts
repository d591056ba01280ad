import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { replayAction } from '../../src/delivery/replay-action.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function sentTo(url: string, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id: 3,
    direction: 'out',
    source: 'trigger',
    createdAt: 0,
    event: 'customer.cart.added',
    deliveryId: 'dlv_original',
    method: 'POST',
    url,
    remoteAddress: null,
    requestHeaders: {},
    requestBody: Buffer.from('{ "event": "customer.cart.added" }'),
    status: 200,
    responseHeaders: null,
    responseBody: null,
    durationMs: 1,
    error: null,
    signatureValid: null,
    signatureError: null,
    duplicate: false,
    replayOf: null,
    ...overrides,
  };
}

describe('replayAction', () => {
  it('re-sends the same bytes signed with the given secret, hands the new delivery to record, and says how it went', async () => {
    server = await startRecordingServer(() => ({ status: 202 }));
    const recorded: DeliveryRecord[] = [];
    const replay = replayAction({
      secret: 'k',
      noSecretHint: 'give one',
      record: (r) => void recorded.push(r),
      showTarget: true,
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
    expect(await failing(sentTo(server.url, { deliveryId: null }))).toMatch(/^✗ replayed #3 as dlv_\w+ → 500 in /);
    expect(recorded).toHaveLength(1);
  });
});
