import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from '../../src/tunnel/frame-codec.js';

const headers = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== '__proto__'),
  fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })),
);

describe('frame codec', () => {
  it('round-trips request frames with arbitrary body bytes untouched', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), headers, fc.string(), (bytes, h, tail) => {
        const frame: Frame = {
          kind: 'request',
          id: 'r-1',
          method: 'POST',
          path: `/${tail.replace(/^\/*/, '')}`,
          headers: h,
          remoteAddress: '127.0.0.1',
          timeoutMs: 10_000,
          body: Buffer.from(bytes),
        };
        const decoded = decodeFrame(encodeFrame(frame));
        expect(decoded).toEqual({ ok: true, frame });
      }),
    );
  });

  it('round-trips response and hello frames', () => {
    const response: Frame = {
      kind: 'response',
      id: 'x',
      status: 418,
      headers: { 'x-a': ['1', '2'] },
      body: Buffer.from([0, 255, 0x7b, 0x0a]),
    };
    expect(decodeFrame(encodeFrame(response))).toEqual({ ok: true, frame: response });
    const hello: Frame = {
      kind: 'hello',
      channel: 'ch_abc',
      token: 't',
      publicUrl: 'http://r/ch_abc',
      pingIntervalMs: 1000,
      maxBodyBytes: 10,
    };
    expect(decodeFrame(encodeFrame(hello))).toEqual({ ok: true, frame: hello });
  });

  it('round-trips the held-delivery frames: held, ack and backlog', () => {
    const held: Frame = {
      kind: 'held',
      seq: '1700000000000-3',
      method: 'POST',
      path: '/orders?x=1',
      headers: { 'x-webhook-delivery': 'dlv_1', 'x-many': ['a', 'b'] },
      remoteAddress: null,
      receivedAt: 1_700_000_000_000,
      heldMs: 192_000,
      body: Buffer.from([0, 255, 0x7b]),
    };
    expect(decodeFrame(encodeFrame(held))).toEqual({ ok: true, frame: held });
    const ack: Frame = { kind: 'ack', seqs: ['1', '2', '1700000000000-3'] };
    expect(decodeFrame(encodeFrame(ack))).toEqual({ ok: true, frame: ack });
    const start: Frame = { kind: 'backlog', state: 'start', count: 1204, skipped: 0, oldestHeldMs: 11_520_000 };
    expect(decodeFrame(encodeFrame(start))).toEqual({ ok: true, frame: start });
    const done: Frame = { kind: 'backlog', state: 'done', count: 1204, skipped: 3, delivered: 1204, maxHeldMs: 5 };
    expect(decodeFrame(encodeFrame(done))).toEqual({ ok: true, frame: done });
  });

  it.each([
    [
      'held without seq',
      { kind: 4, meta: { method: 'POST', path: '/', headers: {}, remoteAddress: null, receivedAt: 1, heldMs: 1 } },
    ],
    [
      'held with a negative heldMs',
      {
        kind: 4,
        meta: { seq: '1', method: 'POST', path: '/', headers: {}, remoteAddress: null, receivedAt: 1, heldMs: -1 },
      },
    ],
    ['ack without a list', { kind: 5, meta: { seqs: '1' } }],
    ['ack with a number', { kind: 5, meta: { seqs: [1] } }],
    ['backlog in an unknown state', { kind: 6, meta: { state: 'middle', count: 1, skipped: 0 } }],
  ])('refuses a malformed %s frame without throwing', (_what, { kind, meta }) => {
    const json = Buffer.from(JSON.stringify(meta));
    const prefix = Buffer.alloc(5);
    prefix.writeUInt8(kind, 0);
    prefix.writeUInt32BE(json.length, 1);
    expect(decodeFrame(Buffer.concat([prefix, json])).ok).toBe(false);
  });

  it('keeps a JSON body byte for byte, whitespace and key order included', () => {
    const body = Buffer.from('{ "b": 1,\n  "a": "é\\u00e9" }  ');
    const decoded = decodeFrame(encodeFrame({ kind: 'response', id: 'x', status: 200, headers: {}, body }));
    expect(decoded.ok && decoded.frame.kind === 'response' && decoded.frame.body.equals(body)).toBe(true);
  });

  it.each([
    ['too short', Buffer.from([2, 0, 0])],
    ['unknown kind', Buffer.from([9, 0, 0, 0, 2, 0x7b, 0x7d])],
    ['meta length past the end', Buffer.from([3, 0, 0, 1, 0, 0x7b, 0x7d])],
    ['meta not JSON', Buffer.from([3, 0, 0, 0, 2, 0x7b, 0x7b])],
    ['meta an array', Buffer.concat([Buffer.from([3, 0, 0, 0, 2]), Buffer.from('[]')])],
  ])('rejects a malformed frame (%s) without throwing', (_name, data) => {
    const decoded = decodeFrame(data);
    expect(decoded.ok).toBe(false);
  });

  it.each([
    [{ id: 'x', status: '200', headers: {} }, 'status'],
    [{ id: 'x', status: 200.5, headers: {} }, 'status'],
    [{ id: '', status: 200, headers: {} }, 'id'],
    [{ id: 'x\n12:00:00 forged line', status: 200, headers: {} }, 'id'],
    [{ id: 'abcd-1:ch_other', status: 200, headers: {} }, 'id'],
    [{ id: 'x'.repeat(65), status: 200, headers: {} }, 'id'],
    [{ id: 'x', status: 200, headers: { a: 1 } }, 'headers'],
    [{ status: 200, headers: {} }, 'id'],
  ])('rejects response metadata %j (bad %s)', (meta, word) => {
    const json = Buffer.from(JSON.stringify(meta));
    const prefix = Buffer.alloc(5);
    prefix.writeUInt8(3, 0);
    prefix.writeUInt32BE(json.length, 1);
    const decoded = decodeFrame(Buffer.concat([prefix, json]));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(word);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const decoded = decodeFrame(Buffer.from(bytes));
        expect(typeof decoded.ok).toBe('boolean');
      }),
    );
  });
});
