// Property-based tests of the pure core: signing, verification and payload overrides.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newDeliveryId } from '../../src/core/delivery-id.js';
import { applyOverrides, parseOverride } from '../../src/core/payload.js';
import { diagnose, sign, verify } from '../../src/core/signature.js';

const bytes = fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a));
const secret = fc.string({ minLength: 1, maxLength: 64 });

describe('signatures (properties)', () => {
  it('whatever the body and secret, the signature verifies', () => {
    fc.assert(fc.property(bytes, secret, (body, s) => verify(body, sign(body, s), [s]).valid));
  });

  it('any single flipped bit of the body fails verification', () => {
    fc.assert(
      fc.property(
        bytes.filter((b) => b.length > 0),
        secret,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (body, s, pos, bit) => {
          const signature = sign(body, s);
          const changed = Buffer.from(body);
          changed[pos % changed.length]! ^= 1 << bit;
          return !verify(changed, signature, [s]).valid;
        },
      ),
    );
  });

  it('a different secret fails, and any rotation list containing the right one passes', () => {
    fc.assert(
      fc.property(bytes, secret, secret, fc.array(secret, { maxLength: 4 }), (body, s, other, extra) => {
        fc.pre(s !== other);
        const signature = sign(body, s);
        return !verify(body, signature, [other]).valid && verify(body, signature, [...extra, s]).valid;
      }),
    );
  });

  it('never throws, whatever header arrives', () => {
    fc.assert(
      fc.property(
        bytes,
        fc.oneof(fc.string(), fc.constant(undefined), fc.array(fc.string())),
        fc.array(secret, { maxLength: 3 }),
        (body, header, secrets) => {
          const v = verify(body, header, secrets);
          diagnose(body, header, secrets);
          return typeof v.valid === 'boolean';
        },
      ),
    );
  });

  it('output is always sha256= and 64 lower-case hex digits', () => {
    fc.assert(fc.property(bytes, secret, (body, s) => /^sha256=[0-9a-f]{64}$/.test(sign(body, s))));
  });
});

describe('payload overrides (properties)', () => {
  const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
  const json = fc.jsonValue({ maxDepth: 2 });

  it('setting an existing field to any JSON value reads back that value, leaving the input alone', () => {
    fc.assert(
      fc.property(fc.dictionary(key, json, { minKeys: 1 }), json, fc.nat(), (data, value, pick) => {
        const keys = Object.keys(data);
        const target = keys[pick % keys.length]!;
        const envelope = { event: 'x', timestamp: 't', data };
        const before = JSON.stringify(envelope);
        const out = applyOverrides(envelope, [parseOverride(`data.${target}=${JSON.stringify(value)}`)]);
        expect(JSON.stringify(envelope)).toBe(before);
        expect(out.data[target]).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  const notJson = (s: string) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  };
  const looksLikeJson = (s: string) => /^\s*[[{"]/.test(s);

  it('a text value that is not JSON, and does not start like JSON, is kept verbatim', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => notJson(s) && !looksLikeJson(s)),
        (text) => {
          expect(parseOverride(`data.name=${text}`).value).toBe(text);
        },
      ),
    );
  });

  it('a value that starts like JSON and is not JSON is refused', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom('{', '[', '"')
          .chain((open) => fc.string().map((rest) => open + rest))
          .filter(notJson),
        (text) => {
          expect(() => parseOverride(`data.name=${text}`)).toThrow(/looks like JSON/);
        },
      ),
    );
  });
});

describe('delivery ids', () => {
  it('are unique across a large batch and of the documented form', () => {
    const ids = Array.from({ length: 20_000 }, newDeliveryId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 300)) expect(id).toMatch(/^dlv_[0-9a-f]{24}$/);
  });
});
