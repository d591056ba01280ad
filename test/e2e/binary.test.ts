/**
 * The built binary as a process: what it loads at start-up, and that bin/ hands `main` the real
 * streams and environment and turns its result into the exit code. Command behaviour is tested
 * in-process (test/commands).
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { isolatedEnv, spawnCli, tempDir } from '../helpers/cli.js';
import { startForwardProxy } from '../helpers/forward-proxy.js';
import {
  COMMAND_TABLE,
  modulesLoaded,
  packagesInTrace,
  packagesLoaded,
  TRACED_BIN,
} from '../helpers/loaded-packages.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('start-up', () => {
  it('--help and --version load commander only', async () => {
    expect(await packagesLoaded(['--help'])).toEqual(COMMAND_TABLE);
    expect(await packagesLoaded(['--version'])).toEqual(COMMAND_TABLE);
  });

  it('trigger loads no TUI, SQLite, WebSocket, undici or conf (no settings file to read)', async () => {
    server = await startRecordingServer();
    expect(
      await packagesLoaded(['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET]),
    ).toEqual([...COMMAND_TABLE, 'chalk'].sort());
    expect(server.requests).toHaveLength(1);
  });

  it('trigger with stored settings reads them through conf, without its schema validator (ajv)', async () => {
    server = await startRecordingServer();
    const configDir = tempDir();
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ secret: SECRET }), { mode: 0o600 });
    const loaded = await packagesLoaded(['trigger', 'catalog.product.created', '--to', server.url], {
      WEBHOOKS_CONFIG_DIR: configDir,
    });
    expect(loaded).toContain('conf');
    expect(loaded).not.toContain('ajv');
    expect(loaded).not.toContain('string-width');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('a load run loads undici for its pooled client; one of a handful of deliveries does not', async () => {
    server = await startRecordingServer();
    const load = await packagesLoaded([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--count',
      '40',
    ]);
    expect(load).toContain('undici');
    expect(load).not.toContain('better-sqlite3');
    expect(load).not.toContain('ink');
    expect(
      await packagesLoaded([
        'trigger',
        'catalog.product.created',
        '--to',
        server.url,
        '--secret',
        SECRET,
        '--count',
        '3',
      ]),
    ).toEqual([...COMMAND_TABLE, 'chalk'].sort());
    expect(server.requests).toHaveLength(43);
  });

  it('trigger through a proxy loads its proxy agent, still not undici; one the proxy rule skips loads none', async () => {
    server = await startRecordingServer();
    const proxy = await startForwardProxy({});
    try {
      const proxied = await packagesLoaded(
        ['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET],
        { HTTP_PROXY: proxy.url },
      );
      expect(proxied).toContain('http-proxy-agent');
      expect(proxied).not.toContain('undici');
      expect(proxy.seen).toHaveLength(1);
      const bypassed = await packagesLoaded(
        ['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET],
        { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      );
      expect(bypassed).toEqual([...COMMAND_TABLE, 'chalk'].sort());
    } finally {
      await proxy.close();
    }
  });
});

describe('the inspector', () => {
  it('is loaded by listen alone: --help, --version and trigger load none of its server or page', async () => {
    server = await startRecordingServer();
    const inspectorCode = (sources: string[]) => sources.filter((s) => /^src\/inspector(-page)?\//.test(s));
    for (const args of [
      ['--help'],
      ['--version'],
      ['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET],
    ]) {
      const { packages, sources } = await modulesLoaded(args);
      expect(sources.length).toBeGreaterThan(0); // the trace sees the bundle's modules
      expect(inspectorCode(sources)).toEqual([]);
      expect(packages).not.toContain('preact');
    }
    // The page is never part of a bundle Node loads: only the inspector's server reads its files.
    const { sources } = await modulesLoaded(['inspect', '--db', join(tempDir(), 'missing.db')]);
    expect(inspectorCode(sources)).toContain('src/inspector/inspector-server.ts');
    expect(sources.filter((s) => s.startsWith('src/inspector-page/'))).toEqual([]);
  });
});

describe('the MCP server', () => {
  it('is loaded by mcp alone: --help, --version and trigger load neither the SDK nor zod', async () => {
    server = await startRecordingServer();
    const mcpCode = (packages: string[]) => packages.filter((p) => p === '@modelcontextprotocol/sdk' || p === 'zod');
    for (const args of [
      ['--help'],
      ['--version'],
      ['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET],
    ]) {
      const { packages, sources } = await modulesLoaded(args);
      expect(mcpCode(packages)).toEqual([]);
      expect(sources.filter((s) => s.startsWith('src/mcp/') || s.startsWith('src/commands/mcp'))).toEqual([]);
    }
    // With its standard input closed at once, the server starts, sees the client gone and ends: exit 0.
    const mcp = await execa(process.execPath, [...TRACED_BIN, 'mcp'], {
      reject: false,
      input: '',
      env: isolatedEnv(tempDir()),
    });
    expect(mcp.exitCode).toBe(0);
    expect(mcpCode(packagesInTrace(mcp.stderr))).toEqual(['@modelcontextprotocol/sdk', 'zod']);
    expect(mcp.stdout).toBe('');
  });
});

describe('the process', () => {
  it("reads piped standard input and the real environment, and exits with the command's code", async () => {
    const signed = await spawnCli(['sign', '--secret', "It's a Secret to Everybody"], { input: 'Hello, World!' });
    expect(signed.exitCode).toBe(0);
    expect(signed.stdout).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    const configDir = tempDir();
    const settings = await spawnCli(['config', 'list', '--json'], { configDir });
    expect(JSON.parse(settings.stdout).file).toBe(join(configDir, 'config.json'));
    const usage = await spawnCli(['triger']);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/^error: unknown command 'triger'/);
    const failed = await spawnCli(['verify', '--secret', 'k', '--signature', 'sha256=00', '--json'], { input: 'x' });
    expect(failed.exitCode).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ valid: false });
  });
});
