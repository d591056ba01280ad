import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { RelayAccess } from '../../src/relay/admission.js';
import { findKey, RelayKeyFile } from '../../src/relay/keys-file.js';
import { RateLimiter } from '../../src/relay/rate-limiter.js';
import { openRelayAccess, requireMethods, requireRedisUrl } from '../../src/relay/relay-options.js';
import { tempDir } from '../helpers/cli.js';

describe('rate limiter (token bucket)', () => {
  it('allows a burst of twice the rate, then one request per 1/rate seconds, and says how long to wait', () => {
    const limiter = new RateLimiter(10);
    const at = (now: number) => limiter.take('ch', now);
    for (let i = 0; i < 20; i++) expect(at(0)).toEqual({ ok: true });
    expect(at(0)).toEqual({ ok: false, retryAfterMs: 100 });
    expect(at(50)).toEqual({ ok: false, retryAfterMs: 50 });
    expect(at(100)).toEqual({ ok: true });
    expect(at(100).ok).toBe(false);
    // Channels are independent.
    expect(limiter.take('other', 100)).toEqual({ ok: true });
  });

  it('forgets buckets that have refilled, which then behave as new', () => {
    const limiter = new RateLimiter(1);
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('b', 0);
    limiter.sweep(1_000);
    expect(limiter.size).toBe(1);
    limiter.sweep(2_000);
    expect(limiter.size).toBe(0);
  });
});

describe('relay keys file', () => {
  it('stores hashes, finds a key in constant time over all entries, and keeps revoked keys as refusals', () => {
    const path = join(tempDir(), 'relay-keys.json');
    const file = new RelayKeyFile(path);
    const alice = file.add('alice', new Date('2026-12-01T10:00:00Z'));
    const bob = file.add('bob');
    expect(readFileSync(path, 'utf8')).not.toContain(alice);
    expect(findKey(file.entries(), alice)?.name).toBe('alice');
    expect(findKey(file.entries(), bob)?.name).toBe('bob');
    expect(findKey(file.entries(), alice.slice(0, -1) + (alice.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    expect(findKey(file.entries(), 'not a key')).toBeUndefined();

    const access = new RelayAccess(path);
    expect(access.check(alice)).toMatchObject({ ok: true, key: { name: 'alice' } });
    expect(access.check(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(file.revoke('alice')).toBe(true);
    expect(file.revoke('alice')).toBe(false);
    access.reload();
    expect(access.check(alice)).toEqual({ ok: false, reason: 'revoked' });
    expect(access.check(bob).ok).toBe(true);
    // Revoking every key leaves a relay that refuses everyone, not an open one.
    file.revoke('bob');
    access.reload();
    expect(access.required).toBe(true);
    expect(access.check(bob)).toEqual({ ok: false, reason: 'revoked' });
    access.close();
  });

  it('is open without a keys file, and closed to everyone while the file is damaged', () => {
    const path = join(tempDir(), 'relay-keys.json');
    const problems: string[] = [];
    const access = new RelayAccess(path, { log: (_level, m) => problems.push(m) });
    expect(access.required).toBe(false);
    expect(access.check(undefined)).toEqual({ ok: true });
    expect(access.stillAdmits(undefined)).toBe(true);
    writeFileSync(path, '{"keys": [ broken');
    access.reload();
    expect(access.required).toBe(true);
    expect(access.check(undefined)).toEqual({ ok: false, reason: 'unavailable' });
    expect(access.stillAdmits(undefined)).toBe(false);
    expect(problems).toEqual([
      `${path} cannot be read as a relay keys file: every listener is refused until it is fixed`,
    ]);
    expect(() => new RelayKeyFile(path).add('eve')).toThrow(/is not a readable relay keys file/);
  });

  it('stays closed when the keys file of a keyed relay disappears, and opens to its keys again when it is back', () => {
    const dir = tempDir();
    const path = join(dir, 'relay-keys.json');
    const alice = new RelayKeyFile(path).add('alice');
    const lines: string[] = [];
    const access = new RelayAccess(path, { log: (level, m) => lines.push(`${level} ${m}`) });
    expect(access.check(alice).ok).toBe(true);

    renameSync(path, join(dir, 'moved.json'));
    access.reload();
    expect(access.required).toBe(true);
    expect(access.check(undefined)).toEqual({ ok: false, reason: 'unavailable' });
    expect(access.check(alice)).toEqual({ ok: false, reason: 'unavailable' });
    expect(access.stillAdmits(undefined)).toBe(false);
    expect(access.stillAdmits(createHash('sha256').update(alice).digest('hex'))).toBe(false);
    expect(access.closedBecause).toBe(`${path} is gone (moved or deleted)`);
    access.reload();
    expect(lines).toEqual([`warn ${path} is gone (moved or deleted): every listener is refused until it is back`]);

    renameSync(join(dir, 'moved.json'), path);
    access.reload();
    expect(access.check(alice).ok).toBe(true);
    expect(access.check(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(lines[1]).toBe(`info ${path} can be read again: 1 live relay key(s), listeners must present one`);
    rmSync(path);
    access.reload();
    expect(access.check(undefined).ok).toBe(false);
    access.close();
  });
});

describe('relay settings checked before start', () => {
  const log = () => {};

  it('runs open on loopback, elsewhere only with --open, and always keyed once the file has keys', () => {
    const dir = tempDir();
    const keys = join(dir, 'relay-keys.json');
    expect(openRelayAccess({ keysFlag: keys, env: {}, host: '127.0.0.1', open: false, log }).required).toBe(false);
    expect(openRelayAccess({ keysFlag: keys, env: {}, host: 'localhost', open: false, log }).required).toBe(false);
    expect(() => openRelayAccess({ keysFlag: keys, env: {}, host: '0.0.0.0', open: false, log })).toThrow(UsageError);
    expect(() => openRelayAccess({ keysFlag: keys, env: {}, host: '::', open: false, log })).toThrow(
      /refusing to run open on ::/,
    );
    expect(openRelayAccess({ keysFlag: keys, env: {}, host: '0.0.0.0', open: true, log }).required).toBe(false);
    new RelayKeyFile(keys).add('ops');
    expect(openRelayAccess({ keysFlag: keys, env: {}, host: '0.0.0.0', open: false, log }).required).toBe(true);
  });

  it('refuses to become open on a public address at a reload too, not only at start', () => {
    const keys = join(tempDir(), 'relay-keys.json');
    const file = new RelayKeyFile(keys);
    const ops = file.add('ops');
    const lines: string[] = [];
    const access = openRelayAccess({
      keysFlag: keys,
      env: {},
      host: '0.0.0.0',
      open: false,
      log: (level, m) => lines.push(`${level} ${m}`),
    });
    expect(access.check(ops).ok).toBe(true);
    // The file emptied by hand: on 0.0.0.0 without --open that must not mean "open".
    writeFileSync(keys, '{"keys": []}');
    access.reload();
    expect(access.check(undefined)).toEqual({ ok: false, reason: 'unavailable' });
    expect(access.stillAdmits(undefined)).toBe(false);
    expect(lines).toEqual([
      `warn ${keys} holds no keys, and this relay may run open only on a loopback address or with --open: every listener is refused until a key is added`,
    ]);
    // With --open it may.
    const open = openRelayAccess({ keysFlag: keys, env: {}, host: '0.0.0.0', open: true, log: () => {} });
    expect(open.check(undefined)).toEqual({ ok: true });
    access.close();
    open.close();
  });

  it('accepts redis:// and rediss:// URLs and HTTP method names only', () => {
    expect(requireRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(requireRedisUrl('rediss://:pw@cache.internal:6380/0')).toBe('rediss://:pw@cache.internal:6380/0');
    expect(() => requireRedisUrl('http://:secret@127.0.0.1:6379')).toThrow(
      '--redis "http://:****@127.0.0.1:6379/" is not a redis:// or rediss:// URL',
    );
    expect(requireMethods(['post', 'Put'])).toEqual(['POST', 'PUT']);
    expect(() => requireMethods(['POST', 'NOT A METHOD'])).toThrow(UsageError);
  });
});
