import { describe, expect, it } from 'vitest';
import { abbreviateSignature, diagnose, newWebhookSecret, sign, verify } from '../../src/core/signature.js';

describe('sign', () => {
  it('matches the test vector of the contract (GitHub scheme)', () => {
    expect(sign('Hello, World!', "It's a Secret to Everybody")).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('signs bytes and the equivalent string alike', () => {
    const text = '{"event":"x","data":{"name":"Vestido de verão – azul"}}';
    expect(sign(Buffer.from(text, 'utf8'), 'k')).toBe(sign(text, 'k'));
  });
});

describe('verify', () => {
  const body = Buffer.from('{"event":"catalog.product.created"}');
  const good = sign(body, 's3cret');

  it('accepts the right signature, in either hex case', () => {
    expect(verify(body, good, ['s3cret'])).toEqual({ valid: true, secretIndex: 0 });
    expect(verify(body, `sha256=${good.slice(7).toUpperCase()}`, ['s3cret']).valid).toBe(true);
  });

  it('accepts any of several secrets (rotation) and says which', () => {
    expect(verify(body, good, ['old', 's3cret'])).toEqual({ valid: true, secretIndex: 1 });
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['sha256=abc', 'malformed'],
    [good.slice(7), 'malformed'],
    [`${good}a`, 'malformed'],
    [`sha1=${'a'.repeat(40)}`, 'malformed'],
    [`sha256=${'g'.repeat(64)}`, 'malformed'],
    [` ${good}`, 'malformed'],
    [`sha256=${'0'.repeat(64)}`, 'mismatch'],
  ])('rejects %j as %s without throwing', (header, reason) => {
    const result = verify(body, header as string | undefined, ['s3cret']);
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.reason).toBe(reason);
  });

  it('rejects a body changed by one byte', () => {
    const changed = Buffer.from(body);
    changed[5] = changed[5]! ^ 1;
    expect(verify(changed, good, ['s3cret']).valid).toBe(false);
  });

  it('handles a header given twice by taking the first', () => {
    expect(verify(body, [good, `sha256=${'0'.repeat(64)}`], ['s3cret']).valid).toBe(true);
  });

  it('reports no secret rather than passing', () => {
    expect(verify(body, good, [])).toMatchObject({ valid: false, reason: 'no-secret' });
  });
});

describe('diagnose', () => {
  const original = '{"event":"catalog.product.created","data":{"price":89.99}}';

  it('recognises a body that was pretty-printed after signing', () => {
    const signature = sign(original, 's3cret');
    const reserialised = JSON.stringify(JSON.parse(original), null, 2);
    const d = diagnose(reserialised, signature, ['s3cret']);
    expect(d.verification.valid).toBe(false);
    expect(d.hints.join(' ')).toMatch(/re-serialised after signing \(the sender signed it compact\)/);
  });

  it('recognises stray whitespace around the secret', () => {
    const signature = sign(original, 's3cret');
    expect(diagnose(original, signature, ['s3cret\n']).hints.join(' ')).toMatch(/whitespace/);
  });

  it('recognises a signature without its prefix', () => {
    expect(diagnose(original, sign(original, 's3cret').slice(7), ['s3cret']).hints.join(' ')).toMatch(/prefix/);
  });

  it('gives the expected signature per secret', () => {
    const d = diagnose(original, `sha256=${'0'.repeat(64)}`, ['a', 'b']);
    expect(d.expected).toEqual([sign(original, 'a'), sign(original, 'b')]);
    expect(d.hints.length).toBeGreaterThan(0);
  });

  it('never throws on binary bodies', () => {
    expect(() => diagnose(Buffer.from([0xff, 0xfe, 0x00, 0x80]), `sha256=${'1'.repeat(64)}`, ['s'])).not.toThrow();
  });
});

describe('abbreviateSignature', () => {
  it('never shows the whole digest', () => {
    const s = sign('x', 'y');
    expect(abbreviateSignature(s)).not.toContain(s.slice(13, -4));
  });
});

describe('newWebhookSecret', () => {
  it('is whsec_ and 32 URL-safe characters, new each time', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
