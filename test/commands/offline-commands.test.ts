import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';

const VECTOR = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};

describe('events', () => {
  it('lists 16 types, as a table or JSON', async () => {
    const table = await runCli(['events', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n')).toHaveLength(17);
    const json = JSON.parse((await runCli(['events', 'list', '--json'])).stdout);
    expect(json).toHaveLength(16);
    expect(json[0]).toEqual({
      type: 'catalog.product.created',
      category: 'catalog',
      description: 'New product added to catalog',
    });
  });

  it('shows a sample envelope, and refuses an unknown type with exit 2', async () => {
    const shown = await runCli(['events', 'show', 'recommendation.clicked']);
    expect(JSON.parse(shown.stdout).data.recommended_product_id).toBe('prod_54321');
    const bad = await runCli(['events', 'show', 'recommendation.click']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/did you mean recommendation\.clicked\?/);
  });
});

describe('sign and verify', () => {
  it('sign reproduces the test vector from stdin and from a file', async () => {
    expect((await runCli(['sign', '--secret', VECTOR.secret], { stdin: VECTOR.body })).stdout).toBe(VECTOR.signature);
    const file = join(tempDir(), 'body.txt');
    writeFileSync(file, VECTOR.body);
    expect((await runCli(['sign', '--secret', VECTOR.secret, '--payload', file])).stdout).toBe(VECTOR.signature);
  });

  it('verify accepts the vector (exit 0) and explains a mismatch (exit 1) without printing secrets', async () => {
    const ok = await runCli(['verify', '--secret', VECTOR.secret, '--signature', VECTOR.signature], {
      stdin: VECTOR.body,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓ valid/);

    const body = '{"event":"x","data":{"a":1}}';
    const signature = (await runCli(['sign', '--secret', 'k'], { stdin: body })).stdout;
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const bad = await runCli(['verify', '--secret', 'k', '--signature', signature, '--json'], { stdin: pretty });
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report).toMatchObject({ valid: false, reason: 'mismatch', received: signature });
    expect(report.hints.join(' ')).toMatch(/re-serialised/);
    expect(report.expected[0]).toMatch(/^sha256=[0-9a-f]{6}…[0-9a-f]{4}$/);
  });

  it('verify with several secrets accepts any', async () => {
    const result = await runCli(
      ['verify', '--secret', 'old', '--secret', VECTOR.secret, '--signature', VECTOR.signature],
      { stdin: VECTOR.body },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/secret #2/);
  });

  it('a malformed signature is a failed check, not a crash', async () => {
    const result = await runCli(['verify', '--secret', 's', '--signature', 'nonsense'], { stdin: 'x' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not of the form sha256=/);
  });
});

describe('config', () => {
  it('stores settings owner-only, masks secrets unless asked, and validates keys', async () => {
    const configDir = tempDir();
    expect((await runCli(['config', 'set', 'token', 'tok_very_secret_value'], { configDir })).stdout).toBe(
      'token = to********',
    );
    expect(statSync(join(configDir, 'config.json')).mode & 0o777).toBe(0o600);
    expect((await runCli(['config', 'get', 'token'], { configDir })).stdout).toBe('to********');
    expect((await runCli(['config', 'get', 'token', '--show-secrets'], { configDir })).stdout).toBe(
      'tok_very_secret_value',
    );
    const list = await runCli(['config', 'list'], { configDir });
    expect(list.stdout).not.toContain('tok_very_secret_value');
    expect((await runCli(['config', 'unset', 'token'], { configDir })).code).toBe(0);
    expect((await runCli(['config', 'get', 'token'], { configDir })).code).toBe(1);
    const bad = await runCli(['config', 'set', 'secrt', 'x'], { configDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown setting "secrt" — did you mean secret\?/);
  });

  it('db from config is used by history, and a flag beats it', async () => {
    const configDir = tempDir();
    const dbFromConfig = join(tempDir(), 'configured.db');
    await runCli(['config', 'set', 'db', dbFromConfig], { configDir });
    // history only reads: it names the database it looked for (and creates none).
    expect((await runCli(['history'], { configDir })).stderr).toContain(`no history database at ${dbFromConfig}`);
    const dbFromFlag = join(tempDir(), 'flag.db');
    expect((await runCli(['history', '--db', dbFromFlag], { configDir })).stderr).toContain(
      `no history database at ${dbFromFlag}`,
    );
  });
});

describe('history', () => {
  it('an unknown id is a one-line error', async () => {
    const db = join(tempDir(), 'h.db');
    HistoryStore.open(db).close();
    const result = await runCli(['history', 'show', 'dlv_nope', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: no delivery "dlv_nope" in .* — list them with webhooks-cli history$/);
  });

  it('a file that is not a database is reported, not a crash', async () => {
    const file = join(tempDir(), 'junk.db');
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    const result = await runCli(['history', '--db', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: ${file} is damaged or is not a webhooks-cli history database (SQLite: file is not a database) — move it aside (\`mv ${file} ${file}.damaged\`) and a new history starts; \`sqlite3 ${file}.damaged .recover\` may rescue rows`,
    );
  });
});

describe('usage', () => {
  it('an unknown command or flag exits 2', async () => {
    expect((await runCli(['triger'])).code).toBe(2);
    expect((await runCli(['trigger', '--bogus'])).code).toBe(2);
  });

  it('--help has examples; --version prints the version', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/Examples:\n {2}\$ webhooks-cli/);
    expect((await runCli(['trigger', '--help'])).stdout).toMatch(/--count <n>/);
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('history filters', () => {
  it('export honours the history filters; an unknown --event is a usage error', async () => {
    const configDir = tempDir();
    await runCli(['trigger', '--all', '--to', 'http://127.0.0.1:9/', '--secret', 's', '--timeout', '1s'], {
      configDir,
    });
    const lines = (args: string[]) => runCli(args, { configDir }).then((r) => r.stdout.split('\n').filter(Boolean));
    expect(await lines(['history', 'export'])).toHaveLength(16);
    expect(await lines(['history', 'export', '--limit', '2'])).toHaveLength(2);
    const one = await lines(['history', '--event', 'search.zero_results', 'export']);
    expect(one.map((l) => JSON.parse(l).event)).toEqual(['search.zero_results']);
    const typo = await runCli(['history', '--event', 'search.zero_result'], { configDir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean search\.zero_results\?/);
  });

  it('sign and verify refuse an empty secret', async () => {
    const result = await runCli(['sign', '--secret', ''], { stdin: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--secret is empty/);
  });

  it('listen refuses an empty secret (an unset variable) before it opens a port, rather than rejecting everything', async () => {
    for (const args of [
      ['--secret', ''],
      ['--secret', 's3cret', '--secret', ''],
    ]) {
      const result = await runCli(['listen', '--port', '0', '--no-tui', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'error: --secret is empty — check the variable you passed (e.g. --secret "$WEBHOOK_SECRET")',
      );
    }
  });
});
