/**
 * Access keys with real processes: `relay keys add|list|revoke` on a keys file, a `relay` that
 * requires them, `listen --relay` with and without a key (flag, env, config), a key revoked
 * while its listener is connected, --max-channels-per-key and --relay-channel, and the refusal
 * to run open on a non-loopback address.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { type ListenProcess, spawnListen } from '../helpers/relay-listen.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { until } from '../helpers/until.js';

const KEY_REFUSED =
  'error: the relay refused this key — ask its operator for one (`webhooks-cli relay keys add NAME` on the relay host)';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function addKey(keys: string, name: string): Promise<string> {
  const added = await spawnCli(['relay', 'keys', 'add', name, '--keys', keys]);
  expect(added.exitCode, added.stderr).toBe(0);
  return added.stdout.trim();
}

async function keyedRelay(keys: string, args: string[] = []): Promise<RelayProcess> {
  const relay = await startRelayProcess(0, ['--keys', keys, ...args]);
  cleanups.push(() => relay.stop());
  return relay;
}

function listen(
  relay: RelayProcess,
  args: string[] = [],
  options: Parameters<typeof spawnListen>[2] = {},
): ListenProcess {
  const listener = spawnListen(relay.wsUrl, args, options);
  cleanups.push(() => listener.stop());
  return listener;
}

describe('relay keys', () => {
  it('prints a new key once and stores only its hash, owner-only; list never shows it', async () => {
    const keys = join(tempDir(), 'team', 'relay-keys.json');
    const key = await addKey(keys, 'alice');
    expect(key).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(keys, 'utf8');
    expect(stored).not.toContain(key);
    expect(stored).toContain(createHash('sha256').update(key).digest('hex'));
    expect(statSync(keys).mode & 0o777).toBe(0o600);

    const again = await spawnCli(['relay', 'keys', 'add', 'alice', '--keys', keys]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr.trim()).toBe(
      `error: a key named "alice" already exists — revoke it first (relay keys revoke alice) or choose another name`,
    );

    const list = await spawnCli(['--json', 'relay', 'keys', 'list', '--keys', keys]);
    expect(list.stdout).not.toContain(key.slice(3));
    expect(JSON.parse(list.stdout)).toMatchObject({
      file: keys,
      keys: [{ name: 'alice', lastUsed: null, revoked: null }],
    });
    const table = await spawnCli(['relay', 'keys', 'list'], { env: { WEBHOOKS_RELAY_KEYS: keys } });
    expect(table.stdout).toMatch(/^NAME\s+CREATED\s+LAST USED\s+REVOKED\nalice\s+20\d\d-/);

    const unknown = await spawnCli(['relay', 'keys', 'revoke', 'bob', '--keys', keys]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      `error: no live key named "bob" in ${keys} — \`webhooks-cli relay keys list\` shows the names`,
    );
  });

  it('admits a listener with a live key (flag, env or config) and refuses one without, with exit 1', async () => {
    const keys = join(tempDir(), 'relay-keys.json');
    const key = await addKey(keys, 'alice');
    const relay = await keyedRelay(keys);
    expect(relay.stderr()).toMatch(/1 live relay key\(s\) in .*relay-keys\.json: listeners must present one/);

    const without = await listen(relay).process;
    expect(without.exitCode).toBe(1);
    expect(without.stderr.trim().split('\n').pop()).toBe(KEY_REFUSED);
    const wrong = await listen(relay, ['--relay-key', `rk_${'A'.repeat(43)}`]).process;
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain(KEY_REFUSED);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);

    const byFlag = listen(relay, ['--relay-key', key]);
    await byFlag.waitFor(/relay: connected — public URL (\S+)/);
    const byEnv = listen(relay, [], { env: { WEBHOOKS_RELAY_KEY: key } });
    await byEnv.waitFor(/relay: connected/);
    const configDir = tempDir();
    expect((await spawnCli(['config', 'set', 'relay-key', key], { configDir })).exitCode).toBe(0);
    const byConfig = listen(relay, [], { configDir });
    await byConfig.waitFor(/relay: connected/);
    expect(relay.stderr()).toMatch(/connection refused for channel \(new\): no relay key/);
    expect(relay.stderr()).toMatch(/connected \(new channel\) with key \\"alice\\"/);
  });

  it('disconnects the listeners of a revoked key within seconds, tells them why, and their channel stops answering', async () => {
    const keys = join(tempDir(), 'relay-keys.json');
    const alice = await addKey(keys, 'alice');
    const bob = await addKey(keys, 'bob');
    const relay = await keyedRelay(keys);
    const revoked = listen(relay, ['--relay-key', alice]);
    const kept = listen(relay, ['--relay-key', bob]);
    const publicUrl = await revoked.waitFor(/relay: connected — public URL (\S+)/);
    const keptUrl = await kept.waitFor(/relay: connected — public URL (\S+)/);

    const revoke = await spawnCli(['relay', 'keys', 'revoke', 'alice', '--keys', keys]);
    expect(revoke.exitCode).toBe(0);
    const started = Date.now();
    const ended = await revoked.process;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(ended.exitCode).toBe(1);
    expect(ended.stderr).toContain(
      'error: the relay refused this key (relay key "alice" was revoked) — ask its operator for one',
    );
    const answer = await fetch(publicUrl, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('x-relay-error')).toBe('no_client');
    // Bob's listener is untouched.
    expect((await fetch(keptUrl, { method: 'POST', body: '{}' })).status).toBe(401);
    expect(kept.process.exitCode).toBe(null);
    expect(relay.stderr()).toMatch(/relay key \\"alice\\" was revoked; disconnecting its listener/);

    // Last used is written back by the relay (at the latest when it stops); revoked is shown.
    await relay.stop();
    const listed = JSON.parse((await spawnCli(['--json', 'relay', 'keys', 'list', '--keys', keys])).stdout) as {
      keys: Array<{ name: string; lastUsed: string | null; revoked: string | null }>;
    };
    expect(listed.keys.find((k) => k.name === 'alice')).toMatchObject({
      lastUsed: expect.stringMatching(/^20\d\d-/),
      revoked: expect.stringMatching(/^20\d\d-/),
    });
    expect(listed.keys.find((k) => k.name === 'bob')).toMatchObject({
      lastUsed: expect.stringMatching(/^20\d\d-/),
      revoked: null,
    });
  });

  it('admits nobody while its keys file is moved away, and lets its listeners back when it returns', async () => {
    const dir = tempDir();
    const keys = join(dir, 'relay-keys.json');
    const alice = await addKey(keys, 'alice');
    const relay = await keyedRelay(keys);
    const listener = listen(relay, ['--relay-key', alice]);
    const publicUrl = await listener.waitFor(/relay: connected — public URL (\S+)/);

    renameSync(keys, join(dir, 'moved-away.json'));
    await until(() => /is gone \(moved or deleted\): every listener is refused until it is back/.test(relay.stderr()));
    // A stranger without a key is not let in, and the keyed listener waits outside, retrying.
    const stranger = new WebSocket(`${relay.wsUrl}/connect`);
    stranger.on('error', () => {});
    const refused = await new Promise<{ status?: number; body: string }>((resolve) => {
      stranger.on('open', () => resolve({ body: 'admitted' }));
      stranger.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
    });
    stranger.terminate();
    expect(refused).toEqual({
      status: 503,
      body: '{"error":{"code":"keys_unavailable","message":"the relay cannot check relay keys right now; retry shortly"}}',
    });
    await listener.waitFor(/relay: reconnecting .*\(relay answered 503: the relay cannot check relay keys right now/);
    expect(listener.process.exitCode).toBe(null);
    expect((await fetch(publicUrl, { method: 'POST', body: '{}' })).headers.get('x-relay-error')).toBe('no_client');

    renameSync(join(dir, 'moved-away.json'), keys);
    await until(() => /can be read again: 1 live relay key\(s\)/.test(relay.stderr()));
    expect(await listener.waitFor(/relay: connected — public URL (\S+)/, 2, 20_000)).toBe(publicUrl);
  });

  it('starts requiring keys when the first is added to a running open relay, dropping keyless listeners', async () => {
    const keys = join(tempDir(), 'relay-keys.json');
    const relay = await keyedRelay(keys);
    expect(relay.stderr()).toMatch(/running open: no relay keys in .*relay-keys\.json/);
    const open = listen(relay);
    await open.waitFor(/relay: connected/);
    await addKey(keys, 'first');
    const ended = await open.process;
    expect(ended.exitCode).toBe(1);
    expect(ended.stderr).toContain('the relay refused this key (this relay now requires a key)');
  });

  it('holds at most --max-channels-per-key channels per key; --relay-channel keeps one channel per name', async () => {
    const keys = join(tempDir(), 'relay-keys.json');
    const key = await addKey(keys, 'carol');
    const relay = await keyedRelay(keys, ['--max-channels-per-key', '2']);
    const configDir = tempDir();
    const orders = listen(relay, ['--relay-key', key, '--relay-channel', 'orders'], { configDir });
    const ordersUrl = await orders.waitFor(/relay: connected — public URL (\S+)/);
    const search = listen(relay, ['--relay-key', key, '--relay-channel', 'search'], { configDir });
    const searchUrl = await search.waitFor(/relay: connected — public URL (\S+)/);
    expect(searchUrl).not.toBe(ordersUrl);
    expect(orders.process.exitCode).toBe(null);

    const third = await listen(relay, ['--relay-key', key, '--relay-channel', 'third'], { configDir }).process;
    expect(third.exitCode).toBe(1);
    expect(third.stderr).toMatch(
      /error: the relay refused channel \(new\): key "carol" already holds 2 channels on this relay \(--max-channels-per-key\)/,
    );

    // A restarted listener gets its named channel back, same URL.
    await orders.stop();
    const back = listen(relay, ['--relay-key', key, '--relay-channel', 'orders'], { configDir });
    expect(await back.waitFor(/relay: connected — public URL (\S+)/)).toBe(ordersUrl);
    const stored = JSON.parse(readFileSync(join(configDir, 'relay-channels.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual([`${relay.wsUrl}/connect#orders`, `${relay.wsUrl}/connect#search`]);
  });
});

describe('relay open only by choice', () => {
  it('refuses to run open on 0.0.0.0 with exit 2, naming the fix', async () => {
    const result = await spawnCli(['relay', '--host', '0.0.0.0', '--port', '0'], { timeout: 10_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^error: refusing to run open on 0\.0\.0\.0: there are no relay keys in \S+relay-keys\.json, so anyone who can reach it could open a channel — add a key with `webhooks-cli relay keys add NAME` \(listeners pass it with --relay-key\), or pass --open to run without keys$/,
    );
  });
});
