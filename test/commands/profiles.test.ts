/**
 * Profiles: settings stored per profile, chosen by --profile or WEBHOOKS_PROFILE, resolved
 * flag > env > the profile > the default profile; `config list` says where each value came from.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `config list --json`'s rows by key. */
async function sources(configDir: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = await runCli(['--json', 'config', 'list', ...args], { configDir, env });
  expect(result.code, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout);
  return {
    profile: parsed.profile,
    rows: Object.fromEntries(
      parsed.settings.map((s: { key: string; value: string | null; source: string }) => [
        s.key,
        { value: s.value, source: s.source },
      ]),
    ),
  };
}

describe('profiles', () => {
  it('config set --profile stores beside the default profile; config profiles lists them, the chosen one marked', async () => {
    const configDir = tempDir();
    expect((await runCli(['config', 'set', 'api-url', 'http://127.0.0.1:4010'], { configDir })).stdout).toBe(
      'api-url = http://127.0.0.1:4010',
    );
    expect(
      (await runCli(['config', 'set', 'api-url', 'https://api.staging.example', '--profile', 'staging'], { configDir }))
        .stdout,
    ).toBe('api-url = https://api.staging.example (profile staging)');
    const file = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8'));
    expect(file).toEqual({
      'api-url': 'http://127.0.0.1:4010',
      profiles: { staging: { 'api-url': 'https://api.staging.example' } },
    });
    expect((await runCli(['config', 'profiles'], { configDir })).stdout).toBe('* default\n  staging');
    expect((await runCli(['config', 'profiles'], { configDir, env: { WEBHOOKS_PROFILE: 'staging' } })).stdout).toBe(
      '  default\n* staging',
    );
    expect((await runCli(['config', 'get', 'api-url', '--profile', 'staging'], { configDir })).stdout).toBe(
      'https://api.staging.example',
    );
  });

  it('config list: each effective value with its source — flag, env, profile, default profile, built-in', async () => {
    const configDir = tempDir();
    await runCli(['config', 'set', 'secret', 'default-secret'], { configDir });
    await runCli(['config', 'set', 'token', 'tok_default_profile'], { configDir });
    await runCli(['config', 'set', 'token', 'tok_staging_profile', '--profile', 'staging'], { configDir });

    const plain = await sources(configDir);
    expect(plain.profile).toBe('default');
    expect(plain.rows.token).toEqual({ value: 'to********', source: 'default profile' });
    expect(plain.rows['api-url']).toEqual({ value: 'http://127.0.0.1:4010', source: 'built-in default' });

    const staging = await sources(configDir, ['--profile', 'staging'], { WEBHOOKS_SECRET: 'from-the-env' });
    expect(staging.profile).toBe('staging');
    expect(staging.rows.token.source).toBe('profile staging');
    // The environment's secret wins over the stored one, and the listing says so.
    expect(staging.rows.secret).toEqual({ value: 'fr********', source: 'env WEBHOOKS_SECRET' });

    const flagged = await sources(configDir, ['--profile', 'staging', '--token', 'tok_flag_value'], {
      WEBHOOKS_API_TOKEN: 'tok_env_value',
    });
    expect(flagged.rows.token.source).toBe('flag --token');
    const human = await runCli(['config', 'list', '--profile', 'staging'], {
      configDir,
      env: { WEBHOOKS_SECRET: 'from-the-env' },
    });
    expect(human.stdout).toMatch(/secret\s+fr\*+\s+env WEBHOOKS_SECRET/);
    expect(human.stdout).toMatch(/token\s+to\*+\s+profile staging/);
    expect(human.stdout).not.toContain('tok_staging_profile');
  });

  it('an API command uses the chosen profile (--profile beats WEBHOOKS_PROFILE), falling back to the default profile', async () => {
    server = await startRecordingServer(() => ({
      status: 200,
      body: '{"data": []}',
      headers: { 'content-type': 'application/json' },
    }));
    const configDir = tempDir();
    await runCli(['config', 'set', 'api-url', server.url], { configDir });
    await runCli(['config', 'set', 'token', 'tok_default'], { configDir });
    await runCli(['config', 'set', 'token', 'tok_staging', '--profile', 'staging'], { configDir });
    await runCli(['config', 'set', 'token', 'tok_prod', '--profile', 'prod'], { configDir });
    expect((await runCli(['list'], { configDir })).code).toBe(0);
    expect((await runCli(['list'], { configDir, env: { WEBHOOKS_PROFILE: 'staging' } })).code).toBe(0);
    expect(
      (await runCli(['list', '--profile', 'prod'], { configDir, env: { WEBHOOKS_PROFILE: 'staging' } })).code,
    ).toBe(0);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer tok_default',
      'Bearer tok_staging',
      'Bearer tok_prod',
    ]);
  });

  it('a profile name that cannot be stored is a usage error naming where it came from', async () => {
    const flag = await runCli(['config', 'list', '--profile', 'a.b']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('error: "a.b" is not a profile name — use letters, digits, - and _ (--profile)');
    const env = await runCli(['list'], { env: { WEBHOOKS_PROFILE: '../x' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('(WEBHOOKS_PROFILE)');
  });
});
