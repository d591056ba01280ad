/**
 * Shell completion driven in a real bash: the script `completion bash` prints is sourced, the
 * completer run with COMP_WORDS/COMP_CWORD as bash sets them, and COMPREPLY read back.
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, tempDir } from '../helpers/cli.js';
import { skipWithout } from '../helpers/required-program.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const configDir = tempDir();
const binDir = join(tempDir(), 'bin');
let receiver: RecordingServer;
beforeAll(async () => {
  mkdirSync(binDir, { recursive: true });
  symlinkSync(BIN, join(binDir, 'webhooks-cli'));
  receiver = await startRecordingServer();
});
afterAll(() => receiver?.close());

/** COMPREPLY for the words typed so far (the last one being completed). */
async function complete(words: string[], shell = 'bash'): Promise<string[]> {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const script = `source <(webhooks-cli completion ${shell}); COMP_WORDS=(webhooks-cli ${quoted}); COMP_CWORD=${words.length}; _webhooks_cli; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = await execa('bash', ['-c', script], {
    env: { ...isolatedEnv(configDir), PATH: `${binDir}:${process.env.PATH}` },
  });
  return result.stdout.split('\n').filter(Boolean);
}

describe.skipIf(skipWithout('bash', ['--version']))('completion in bash', () => {
  it('registers the completer for webhooks-cli', async () => {
    const { stdout } = await execa('bash', ['-c', 'source <(webhooks-cli completion bash); complete -p webhooks-cli'], {
      env: { ...isolatedEnv(configDir), PATH: `${binDir}:${process.env.PATH}` },
    });
    expect(stdout).toBe('complete -o default -F _webhooks_cli webhooks-cli');
  });

  it('commands, subcommands and flags from the command tree; the hidden one is not offered', async () => {
    expect(await complete(['tri'])).toEqual(['trigger']);
    expect(await complete(['mc'])).toEqual(['mcp']);
    expect(await complete(['mcp', '--allow'])).toEqual(['--allow-remote']);
    expect(await complete(['config', ''])).toEqual(['list', 'get', 'set', 'unset', 'profiles']);
    expect(await complete(['test', 'wh_1', '--n'])).toEqual(['--no-wait', '--no-color']);
    expect(await complete(['__'])).toEqual([]);
  });

  it('event types where one is expected: trigger, events show, test --event, listen --register-events', async () => {
    expect(await complete(['trigger', 'catalog.product.c'])).toEqual(['catalog.product.created']);
    expect(await complete(['events', 'show', 'search.'])).toEqual(['search.query.performed', 'search.zero_results']);
    expect(await complete(['test', 'wh_1', '--event', 'customer.purchase'])).toEqual(['customer.purchase.completed']);
    expect(await complete(['listen', '--register-events', 'catalog.product.d'])).toEqual(['catalog.product.deleted']);
  });

  it('scenario names for trigger --scenario and scenarios show', async () => {
    expect(await complete(['trigger', '--scenario', 'sh'])).toEqual(['shopping-journey']);
    expect(await complete(['scenarios', 'show', ''])).toEqual(['product-lifecycle', 'shopping-journey', 'bulk-import']);
  });

  it('delivery ids from the local history for replay and history show (none, and no file made, without one)', async () => {
    expect(await complete(['replay', ''])).toEqual([]);
    expect(existsSync(join(configDir, 'history.db'))).toBe(false);
    const sent = await runCli(['--json', 'trigger', 'customer.cart.added', '--to', receiver.url, '--secret', 's'], {
      configDir,
    });
    expect(sent.code, sent.stderr).toBe(0);
    const id = String(receiver.requests[0]!.headers['x-webhook-delivery']);
    expect(id).toMatch(/^\S{6,}/);
    expect(await complete(['replay', ''])).toContain(id);
    expect(await complete(['history', 'show', id.slice(0, 6)])).toContain(id);
  });
});

describe('completion powershell', () => {
  // PowerShell is not a Debian package, so no test here runs it: this checks what the script hands
  // to __complete, and that __complete answers those words as the other shells' scripts get it.
  it('registers a native completer for webhooks-cli that asks __complete with the words before the cursor', async () => {
    const script = (await runCli(['completion', 'powershell'])).stdout;
    expect(script).toContain("Register-ArgumentCompleter -Native -CommandName 'webhooks-cli', 'webhooks-cli.cmd'");
    expect(script).toContain('webhooks-cli __complete -- @words $current 2>$null');
    expect(script).toContain("[System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)");
    // The current word after a space is '' (PowerShell 7.3+) or '""' (older ones drop an empty argument).
    const answer = async (...words: string[]) =>
      (await runCli(['__complete', '--', ...words], { configDir })).stdout.split('\n').filter(Boolean);
    expect(await answer('config', '')).toEqual(['list', 'get', 'set', 'unset', 'profiles']);
    expect(await answer('trigger', 'catalog.product.c')).toEqual(['catalog.product.created']);
  });

  it('an unknown shell is a usage error naming the four', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no completion for "tcsh" — use bash, zsh, fish or powershell');
  });
});
