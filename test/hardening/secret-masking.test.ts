/**
 * Secrets and tokens never appear whole in what the tool prints or logs — every command that takes
 * or shows one, on stdout and stderr, in tables, JSON, logs, the TUI and written reports — unless
 * the user asks (`--show-secret(s)`) or the secret was generated and can be learnt no other way.
 * (A signature is not a secret; it is derived from the secret and the body.)
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { BIN, spawnCli, tempDir } from '../helpers/cli.js';
import { listenUrlOnScreen, type RunningListener, startListen } from '../helpers/listen.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { skipWithout } from '../helpers/required-program.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';
import { startRecordingServer } from '../helpers/servers.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const SECRET = 'sekret-9f8e7d6c5b4a';
const OTHER_SECRET = 'sekret-0a1b2c3d4e5f';
const TOKEN = 'tok-sekret-5e6f7a8b9c';
/** A password in a URL (basic auth) is a secret too. */
const URL_PASSWORD = 'pw-sekret-77aa88bb';
const withPassword = (url: string) => url.replace('http://', `http://hook:${URL_PASSWORD}@`);

/** Fails naming where a secret leaked; `texts` are labelled outputs. */
function expectNoSecret(
  texts: Record<string, string>,
  secrets: string[] = [SECRET, OTHER_SECRET, TOKEN, URL_PASSWORD],
): void {
  const leaks = Object.entries(texts).flatMap(([where, text]) =>
    secrets
      .filter((s) => text.includes(s))
      .map((s) => `${s} in ${where}: …${text.slice(Math.max(0, text.indexOf(s) - 80), text.indexOf(s) + 30)}…`),
  );
  expect(leaks).toEqual([]);
}

function outputs(label: string, r: { stdout?: unknown; stderr?: unknown }): Record<string, string> {
  return { [`${label} stdout`]: String(r.stdout ?? ''), [`${label} stderr`]: String(r.stderr ?? '') };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(args: string[], options?: Parameters<typeof startListen>[1]): Promise<RunningListener> {
  const listener = await startListen(args, options);
  cleanups.push(async () => listener.process.exitCode === null && (await listener.stop('SIGKILL')));
  return listener;
}

describe('secrets are masked', () => {
  it('sign, verify and config', async () => {
    const configDir = tempDir();
    const dir = tempDir();
    const body = join(dir, 'body.json');
    await execa('sh', ['-c', `printf '{"event":"x"}' > ${body}`]);
    const signature = sign('{"event":"x"}', OTHER_SECRET);
    const texts: Record<string, string> = {};
    const run = async (label: string, args: string[], env?: Record<string, string>) => {
      const r = await spawnCli(args, { configDir, env });
      Object.assign(texts, outputs(label, r));
      return r;
    };
    expect((await run('sign', ['sign', '--secret', SECRET, '--payload', body])).stdout).toMatch(/^sha256=/);
    expect(
      (
        await run('verify', [
          'verify',
          '--secret',
          SECRET,
          '--secret',
          ` ${SECRET} `,
          '--signature',
          signature,
          '--payload',
          body,
        ])
      ).exitCode,
    ).toBe(1);
    await run('verify --json', ['--json', 'verify', '--secret', SECRET, '--signature', signature, '--payload', body]);
    await run('config set secret', ['config', 'set', 'secret', SECRET]);
    await run('config set token', ['config', 'set', 'token', TOKEN]);
    expect((await run('config get', ['config', 'get', 'secret'])).stdout).toContain('se********');
    await run('config list', ['config', 'list']);
    await run('config list --json', ['--json', 'config', 'list']);
    await run('usage error', ['trigger', 'customer.cart.added', '--secret', SECRET]);
    await run('verbose error', [
      '--verbose',
      'trigger',
      'customer.cart.added',
      '--to',
      'http://127.0.0.1:1/webhook',
      '--secret',
      SECRET,
    ]);
    expectNoSecret(texts);
    // Asked for, they are shown: the check above can see a leak.
    const shown = await spawnCli(['config', 'list', '--show-secrets'], { configDir });
    expect(shown.stdout).toContain(SECRET);
    expect(shown.stdout).toContain(TOKEN);
  });

  it('trigger, listen (lines and --json), replay and every history view', async () => {
    const configDir = tempDir();
    const texts: Record<string, string> = {};
    const run = async (label: string, args: string[], env?: Record<string, string>) => {
      const r = await spawnCli(args, { configDir, env, timeout: 30_000 });
      Object.assign(texts, outputs(label, r));
      return r;
    };
    const json = await listen(['--json'], { configDir, env: { WEBHOOKS_SECRET: SECRET } });
    const lines = await listen(['--secret', SECRET, '--secret', OTHER_SECRET, '--forward-to', withPassword(json.url)], {
      configDir,
    });
    expect((await run('trigger', ['trigger', '--all', '--to', lines.url, '--secret', SECRET])).exitCode).toBe(0);
    const toPassword = await run('trigger --json', [
      '--json',
      'trigger',
      'customer.cart.added',
      '--to',
      withPassword(json.url),
      '--secret',
      SECRET,
    ]);
    expect(JSON.parse(toPassword.stdout).deliveries[0].url).toBe(json.url.replace('http://', 'http://hook:****@'));
    await run(
      'trigger load',
      ['trigger', 'customer.cart.added', '--to', json.url, '--count', '50', '--concurrency', '5'],
      { WEBHOOKS_SECRET: SECRET },
    );
    // Rejected: the failure summary names the status, not the secret.
    expect(
      (await run('trigger rejected', ['trigger', 'customer.cart.added', '--to', json.url, '--secret', OTHER_SECRET]))
        .exitCode,
    ).toBe(1);

    const rows = JSON.parse((await run('history --json', ['--json', 'history', '--limit', '200'])).stdout) as Array<{
      id: number;
      delivery_id: string;
      direction: string;
    }>;
    const received = rows.find((r) => r.direction === 'in')!;
    // The one sent to a URL with a password.
    const sent = rows.find(
      (r) => r.direction === 'out' && r.delivery_id === JSON.parse(toPassword.stdout).deliveries[0].delivery_id,
    )!;
    expect((await run('replay', ['replay', received.delivery_id, '--secret', SECRET])).exitCode).toBe(0);
    expect(
      (await run('replay --to', ['replay', sent.delivery_id, '--secret', SECRET, '--to', withPassword(json.url)]))
        .exitCode,
    ).toBe(0);
    expect((await run('replay --json', ['--json', 'replay', sent.delivery_id, '--secret', SECRET])).exitCode).toBe(0);
    await run('history', ['history', '--limit', '200']);
    for (const row of [received, sent]) {
      const shown = await run(`history show ${row.direction}`, ['history', 'show', String(row.id)]);
      expect(shown.stdout).toMatch(/x-webhook-signature/i);
      await run(`history show --json ${row.direction}`, ['--json', 'history', 'show', row.delivery_id]);
    }
    await run('history export', ['history', 'export']);

    Object.assign(texts, outputs('listen', await lines.stop()), outputs('listen --json', await json.stop()));
    expect(texts['listen stderr']).toContain(
      '(secrets se********, se********, forwarding to http://hook:****@127.0.0.1',
    );
    expectNoSecret(texts);
  });

  it('serve, the API commands, listen --register and demo', async () => {
    const configDir = tempDir();
    const serve: ServeProcess = await startServe(['--verbose', '--token', TOKEN], { configDir, token: TOKEN });
    cleanups.push(() => serve.stop('SIGKILL'));
    const texts: Record<string, string> = {};
    const env = { WEBHOOKS_API_URL: serve.url, WEBHOOKS_API_TOKEN: TOKEN };
    const run = async (label: string, args: string[], extra: Record<string, string> = {}) => {
      const r = await spawnCli(args, { configDir, env: { ...env, ...extra }, timeout: 30_000 });
      Object.assign(texts, outputs(label, r));
      return r;
    };
    const listener = await listen(['--secret', SECRET, '--register', '--register-events', 'customer.cart.added'], {
      configDir,
      env,
    });
    await serve.call('POST', '/api/v1/events', { event: 'customer.cart.added' }, TOKEN);

    const registered = await run('register', [
      'register',
      '--url',
      withPassword('http://127.0.0.1:1/webhook'),
      '--events',
      'all',
      '--secret',
      SECRET,
    ]);
    const id = /registered (wh_\S+)/.exec(registered.stdout)![1]!;
    await run('register --json', [
      '--json',
      'register',
      '--url',
      'http://127.0.0.1:1/webhook',
      '--events',
      'all',
      '--secret',
      SECRET,
    ]);
    await run('register (secret from env)', ['register', '--url', 'http://127.0.0.1:1/webhook', '--events', 'all'], {
      WEBHOOKS_SECRET: SECRET,
    });
    await run('list', ['list']);
    await run('list --json', ['--json', 'list']);
    await run('get', ['get', id]);
    await run('get --json', ['--json', 'get', id]);
    await run('update --secret', ['update', id, '--secret', OTHER_SECRET, '--debug-mode']);
    await run('update --json', ['--json', 'update', id, '--secret', OTHER_SECRET]);
    await run('test', ['test', id, '--event', 'customer.cart.added']);
    await run('deliveries --json', ['--json', 'deliveries', id]);
    await run('wrong token', ['list'], { WEBHOOKS_API_TOKEN: `${TOKEN}-wrong` });
    // Asked for, it is shown: the checks below can see a leak.
    const shown = await spawnCli(
      ['register', '--url', 'http://127.0.0.1:1/webhook', '--events', 'all', '--secret', SECRET, '--show-secret'],
      { configDir, env },
    );
    await run('demo', ['--json', 'demo', '--secret', SECRET], { WEBHOOKS_API_URL: '', WEBHOOKS_API_TOKEN: '' });

    Object.assign(texts, outputs('listen --register', await listener.stop()));
    await serve.stop();
    Object.assign(texts, { 'serve stdout': serve.stdout.join('\n'), 'serve stderr': serve.stderr() });
    // The API's own JSON answers are printed as they came, the webhook URL whole; nothing else shows its password.
    const apiJson = Object.keys(texts).filter((k) => /^(register|list|get|update) --json stdout$/.test(k));
    expect(apiJson.some((k) => texts[k]!.includes(URL_PASSWORD))).toBe(true);
    for (const k of apiJson) texts[k] = texts[k]!.replaceAll(URL_PASSWORD, '');
    expect(texts['register stdout']).toContain('→ http://hook:****@127.0.0.1:1/webhook');
    expect(serve.stdout.join('\n')).toContain('→ http://hook:****@127.0.0.1:1/webhook');
    expectNoSecret(texts, [SECRET, OTHER_SECRET, TOKEN, `${TOKEN}-wrong`, URL_PASSWORD]);
    expect(shown.stdout).toContain(SECRET);
  }, 90_000); // a dozen processes one after another: slow on a busy machine, not a speed check

  it('smoke: its lines, its JSON report and its JUnit file', async () => {
    const configDir = tempDir();
    const listener = await listen(['--secret', SECRET], { configDir });
    const junit = join(tempDir(), 'smoke.xml');
    const texts: Record<string, string> = {};
    for (const args of [['smoke'], ['--json', 'smoke']]) {
      const r = await spawnCli(
        [...args, '--url', listener.url, '--secret', SECRET, '--events', 'customer.cart.added', '--junit', junit],
        { configDir, timeout: 30_000 },
      );
      expect(r.exitCode).toBe(0);
      Object.assign(texts, outputs(args.join(' '), r), { junit: readFileSync(junit, 'utf8') });
    }
    const failing = await spawnCli(
      ['smoke', '--url', listener.url, '--secret', OTHER_SECRET, '--events', 'customer.cart.added'],
      { configDir, timeout: 30_000 },
    );
    expect(failing.exitCode).toBe(1);
    Object.assign(texts, outputs('smoke (wrong secret)', failing), outputs('listen', await listener.stop()));
    expectNoSecret(texts);
  });

  it('relay and listen --relay: the channel token stays in relay-channels.json', async () => {
    const configDir = tempDir();
    const relay: RelayProcess = await startRelayProcess(0, [], configDir);
    cleanups.push(() => relay.stop('SIGKILL'));
    const child = spawnCli(['--json', 'listen', '--port', '0', '--secret', SECRET, '--relay', relay.wsUrl], {
      configDir,
      timeout: 30_000,
    });
    cleanups.push(async () => child.kill('SIGKILL'));
    let stdout = '';
    const publicUrl = await new Promise<string>((resolve) =>
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /"publicUrl":"([^"]+)"/.exec(stdout);
        if (match) resolve(match[1]!);
      }),
    );
    const body = '{"event":"customer.cart.added","data":{}}';
    expect(
      (await fetch(publicUrl, { method: 'POST', body, headers: { 'x-webhook-signature': sign(body, SECRET) } })).status,
    ).toBe(200);
    const stored = JSON.parse(readFileSync(join(configDir, 'relay-channels.json'), 'utf8')) as Record<
      string,
      { token: string }
    >;
    const channelToken = Object.values(stored)[0]!.token;
    child.kill('SIGTERM');
    const listenResult = await child;
    await relay.stop();
    expectNoSecret({ ...outputs('listen --relay', listenResult), 'relay stderr': relay.stderr() }, [
      SECRET,
      channelToken,
    ]);
  });

  it.skipIf(skipWithout('tmux'))("listen's terminal UI: the header and a delivery's details", async () => {
    const configDir = tempDir();
    const app = await startRecordingServer();
    cleanups.push(() => app.close());
    const tmux: TmuxSession = await startTmux(
      `env -u CI -u CONTINUOUS_INTEGRATION WEBHOOKS_CONFIG_DIR=${configDir} WEBHOOKS_DB= WEBHOOKS_SECRET= NO_COLOR=1 '${process.execPath}' '${BIN}' listen --port 0 --secret ${SECRET} --secret ${OTHER_SECRET} --forward-to ${withPassword(app.url)}/app; sleep 20`,
    );
    cleanups.push(() => tmux.kill());
    let screen = await tmux.screenShowing(/waiting for webhooks/);
    const url = listenUrlOnScreen(screen);
    expect(screen).toContain('secrets se********, se********');
    expect(screen).toContain('forwarding to http://hook:****@');
    expect(
      (await spawnCli(['trigger', 'customer.cart.added', '--to', url, '--secret', SECRET], { configDir })).exitCode,
    ).toBe(0);
    await tmux.screenShowing(/received 1 /);
    await tmux.press('Enter');
    screen = await tmux.screenShowing(/Esc back/);
    expect(screen).toContain('Request headers');
    expectNoSecret({ screen });
  });
});
