/**
 * `webhooks-cli mcp` as a coding agent's client meets it: the SDK's own Client over stdio,
 * spawning the built binary, against real receivers on loopback ports (a node:http server, the
 * Flask fixture app) and a real history file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/signature.js';
import { BIN, isolatedEnv, spawnCli, tempDir } from '../helpers/cli.js';
import { type FixtureApp, skipWithoutPythonModule, startFixtureFile } from '../helpers/fixture-app.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 'mcp-test-secret-5f2a';
const TOOLS = [
  'diagnose_receiver',
  'get_delivery',
  'get_event_schema',
  'list_deliveries',
  'list_event_types',
  'replay_delivery',
  'smoke_test',
  'trigger_event',
];

interface Session {
  client: Client;
  db: string;
  stderr: () => string;
  /** Calls a tool; the secret must appear in no answer, whatever the tool. */
  call: (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>;
}

const sessions: Session[] = [];
const servers: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.client.close()));
});

async function startSession(args: string[] = ['--secret', SECRET], db = join(tempDir(), 'history.db')) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, '--db', db, 'mcp', ...args],
    env: isolatedEnv(tempDir()),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'webhooks-cli-test', version: '1.0.0' });
  await client.connect(transport);
  const session: Session = {
    client,
    db,
    stderr: () => stderr,
    call: async (name, toolArgs = {}) => {
      const result = (await client.callTool({ name, arguments: toolArgs }, undefined, {
        timeout: 120_000,
      })) as CallToolResult;
      expect(JSON.stringify(result)).not.toContain(SECRET);
      return result;
    },
  };
  sessions.push(session);
  return session;
}

const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function receiver(status = 200) {
  const server = await startRecordingServer(() => ({ status, body: status === 200 ? 'OK' : 'nope' }));
  servers.push(server);
  return server;
}

describe('the tools', () => {
  it('lists the eight tools, each with an object JSON Schema for its input that a validator compiles', async () => {
    const { client } = await startSession();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    const ajv = new Ajv({ strict: false });
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.description?.length).toBeGreaterThan(20);
      ajv.compile(t.inputSchema);
    }
    expect(byName.trigger_event!.inputSchema.required).toEqual(['type', 'url']);
    const trigger = ajv.compile(byName.trigger_event!.inputSchema);
    expect(trigger({ type: 'catalog.product.created', url: 'http://127.0.0.1:1/', count: 2 })).toBe(true);
    expect(trigger({ type: 'catalog.product.created', url: 'http://127.0.0.1:1/', count: 0 })).toBe(false);
    expect(trigger({ url: 'http://127.0.0.1:1/' })).toBe(false);
  });

  it('list_event_types and get_event_schema: the catalogue, a schema and a sample that meets it', async () => {
    const { call } = await startSession();
    const types = await call('list_event_types');
    expect((types.structuredContent!.event_types as unknown[]).length).toBe(16);
    const schema = await call('get_event_schema', { type: 'catalog.product.created' });
    const { schema: json, sample } = schema.structuredContent as { schema: object; sample: unknown };
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(json);
    expect(validate(sample)).toBe(true);
  });

  it('trigger_event reaches a loopback receiver; list_deliveries finds it; get_delivery has the exact bytes', async () => {
    const server = await receiver();
    const { call } = await startSession();
    const sent = await call('trigger_event', {
      type: 'catalog.product.created',
      url: `${server.url}/webhook`,
      set: ['data.price=12.5'],
      count: 2,
    });
    expect(sent.isError).toBeFalsy();
    const deliveries = sent.structuredContent!.deliveries as { delivery_id: string; status: number }[];
    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(server.requests).toHaveLength(2);
    expect(textOf(sent)).toContain(`✓ catalog.product.created ${deliveries[0]!.delivery_id}: 200`);

    const listed = await call('list_deliveries', { query: 'out event:catalog.product.created', limit: 5 });
    const rows = listed.structuredContent!.deliveries as { delivery_id: string; source: string }[];
    // Newest first.
    expect(rows.map((r) => r.delivery_id)).toEqual([deliveries[1]!.delivery_id, deliveries[0]!.delivery_id]);
    expect(rows.every((r) => r.source === 'trigger')).toBe(true);
    expect((await call('list_deliveries', { status: 404 })).structuredContent!.deliveries).toEqual([]);

    const received = server.requests.find((r) => r.headers['x-webhook-delivery'] === deliveries[0]!.delivery_id)!;
    const shown = await call('get_delivery', { id: deliveries[0]!.delivery_id });
    const record = shown.structuredContent as Record<string, unknown>;
    expect(Buffer.from(record.request_body_base64 as string, 'base64').equals(received.body)).toBe(true);
    expect(JSON.parse(record.request_body as string).data.price).toBe(12.5);
    expect(record.request_body_size).toBe(received.body.length);
    expect(record.request_body_truncated).toBe(false);
    expect((record.request_headers as Record<string, string>)['x-webhook-signature']).toBe(
      received.headers['x-webhook-signature'],
    );
    expect(record).toMatchObject({ status: 200, response_body: 'OK', signature_valid: null });

    const cut = (await call('get_delivery', { id: deliveries[0]!.delivery_id, max_body_bytes: 10 }))
      .structuredContent as Record<string, unknown>;
    expect(cut).toMatchObject({ request_body_size: received.body.length, request_body_truncated: true });
    expect(Buffer.from(cut.request_body_base64 as string, 'base64').equals(received.body.subarray(0, 10))).toBe(true);
  });

  it('replay_delivery sends a recorded delivery again with edits, linked to its original', async () => {
    const server = await receiver();
    const { call } = await startSession();
    const sent = await call('trigger_event', { type: 'customer.cart.added', url: server.url });
    const original = (sent.structuredContent!.deliveries as { delivery_id: string }[])[0]!.delivery_id;
    const replayed = await call('replay_delivery', { id: original, set: ['data.quantity=3'] });
    expect(replayed.structuredContent).toMatchObject({ ok: true, replay_of: original, status: 200 });
    expect(server.requests).toHaveLength(2);
    expect(JSON.parse(server.requests[1]!.body.toString()).data.quantity).toBe(3);
    expect(server.requests[1]!.headers['x-webhook-delivery']).not.toBe(original);
  });

  it('smoke_test fails a catch-all receiver that answers 200 to everything, with a verdict per check', async () => {
    const server = await receiver();
    const { call } = await startSession();
    const result = await call('smoke_test', { url: server.url, events: ['catalog.product.created'] });
    expect(result.isError).toBeFalsy();
    const report = result.structuredContent as {
      ok: boolean;
      checks: { id: string; verdict: string }[];
      diagnosis: { cause: string } | null;
    };
    expect(report.ok).toBe(false);
    const verdicts = Object.fromEntries(report.checks.map((c) => [c.id, c.verdict]));
    expect(verdicts['signature.wrong']).toBe('fail');
    expect(verdicts['signature.missing']).toBe('fail');
    expect(Object.values(verdicts)).toContain('pass');
    // The doctor, run because signature checks failed, names the catch-all.
    expect(report.diagnosis?.cause).toBe('accepts-anything');
    expect(textOf(result)).toContain('FAIL signature.wrong');
  });
});

describe('safe by default', () => {
  it('refuses a target beyond this machine before connecting to it', async () => {
    const { call, db } = await startSession();
    for (const [name, args] of [
      ['trigger_event', { type: 'catalog.product.created', url: 'http://192.0.2.1/webhook' }],
      ['diagnose_receiver', { url: 'http://192.0.2.1/webhook' }],
      ['smoke_test', { url: 'http://[2001:db8::1]/webhook' }],
    ] as const) {
      const refused = await call(name, args);
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(
        /^url (192\.0\.2\.1|\[2001:db8::1\]) is not on this machine — send to localhost, 127\.0\.0\.1 or ::1, or start the server with webhooks-cli mcp --allow-remote$/,
      );
    }
    // Nothing was sent, so nothing was recorded: not even the history file exists.
    expect(textOf(await call('list_deliveries'))).toBe(
      `no history database at ${db} — check --db (or WEBHOOKS_DB); listen and trigger create it`,
    );
  });

  it('--allow-remote lets a target the loopback rule does not name through', async () => {
    const server = await receiver();
    // This machine still, written as an IPv4-mapped IPv6 address: not one of the names the rule allows.
    const mapped = `http://[::ffff:127.0.0.1]:${server.port}/webhook`;
    const strict = await startSession();
    expect(textOf(await strict.call('trigger_event', { type: 'catalog.product.created', url: mapped }))).toMatch(
      /^url \[::ffff:7f00:1\]:\d+ is not on this machine/,
    );
    expect(server.requests).toHaveLength(0);
    const open = await startSession(['--secret', SECRET, '--allow-remote']);
    const sent = await open.call('trigger_event', { type: 'catalog.product.created', url: mapped });
    expect(sent.structuredContent).toMatchObject({ ok: true });
    expect(server.requests).toHaveLength(1);
    expect(open.stderr()).toContain('targets anywhere (--allow-remote)');
  });

  it('a bad argument is a tool error worded as the CLI words it, and the server answers the next call', async () => {
    const server = await receiver();
    const { call, client } = await startSession();
    const typo = await call('trigger_event', { type: 'catalog.product.creatd', url: server.url });
    expect(typo.isError).toBe(true);
    const cli = await spawnCli(['trigger', 'catalog.product.creatd', '--to', server.url, '--secret', SECRET]);
    expect(cli.exitCode).toBe(2);
    expect(cli.stderr).toBe(`error: ${textOf(typo)}`);

    const wrongType = await call('trigger_event', { type: 'catalog.product.created', url: server.url, count: 'x' });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toMatch(/count/);
    const notUrl = await call('diagnose_receiver', { url: 'localhost:3000/webhook' });
    expect(textOf(notUrl)).toBe(
      'url "localhost:3000/webhook" has no scheme — did you mean url http://localhost:3000/webhook?',
    );
    const badSet = await call('trigger_event', { type: 'catalog.product.created', url: server.url, set: ['price'] });
    expect(badSet.isError).toBe(true);
    const missing = await call('get_delivery', { id: 'dlv_nothere' });
    expect(textOf(missing)).toMatch(
      /^no history database at .* — check --db \(or WEBHOOKS_DB\); listen and trigger create it$/,
    );
    expect(server.requests).toHaveLength(0);

    const next = await call('trigger_event', { type: 'catalog.product.created', url: server.url });
    expect(next.isError).toBeFalsy();
    expect(server.requests).toHaveLength(1);
    expect(textOf(await call('get_delivery', { id: 'dlv_nothere' }))).toMatch(
      /^no delivery "dlv_nothere" in .* — list them with list_deliveries$/,
    );
    expect((await client.listTools()).tools).toHaveLength(8);
  });

  it('without a secret anywhere, a tool that signs says where to give one', async () => {
    const server = await receiver();
    const { call } = await startSession([]);
    const result = await call('trigger_event', { type: 'catalog.product.created', url: server.url });
    expect(textOf(result)).toBe(
      'no signing secret — pass `secret`, or start the server with --secret, WEBHOOKS_SECRET or `webhooks-cli config set secret …`',
    );
    const given = await call('trigger_event', { type: 'catalog.product.created', url: server.url, secret: SECRET });
    expect(given.isError).toBeFalsy();
    expect(server.requests).toHaveLength(1);
  });
});

describe("the server's own secret", () => {
  it('--secret-file: read from a file (its final line break dropped), used when a call names none', async () => {
    const file = join(tempDir(), 'secret');
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const server = await receiver();
    const { call } = await startSession(['--secret-file', file]);
    const result = await call('trigger_event', { type: 'catalog.product.created', url: server.url });
    expect(result.isError).toBeFalsy();
    const [request] = server.requests;
    expect(request!.headers['x-webhook-signature']).toBe(sign(request!.body, SECRET));
  });

  it('--secret - is refused with one line: standard input carries the protocol', async () => {
    for (const args of [
      ['--secret', '-'],
      ['--secret-file', '-'],
    ]) {
      const cli = await spawnCli(['mcp', ...args], { input: '' });
      expect(cli.exitCode).toBe(2);
      expect(cli.stderr.trim()).toBe(
        'error: the secret cannot come from standard input: mcp speaks the protocol there — pass --secret-file FILE, set WEBHOOKS_SECRET, or run webhooks-cli config set secret',
      );
    }
  });
});

describe.skipIf(skipWithoutPythonModule('flask', 'python3-flask'))('a re-serialising Flask receiver', () => {
  let app: FixtureApp;
  beforeAll(async () => {
    app = await startFixtureFile('flask_receiver.py', [SECRET]);
  }, 30_000);
  afterAll(() => app?.stop());

  it('trigger_event is rejected, diagnose_receiver names the cause and the fix, smoke_test passes the fixed route', async () => {
    const { call } = await startSession();
    const rejected = await call('trigger_event', {
      type: 'catalog.product.created',
      url: app.url('/webhook-json-dumps'),
    });
    expect((rejected.structuredContent!.deliveries as { status: number }[])[0]!.status).toBe(401);
    expect(textOf(rejected)).toContain('diagnose_receiver finds out why');

    const diagnosis = await call('diagnose_receiver', { url: app.url('/webhook-json-dumps') });
    expect(diagnosis.structuredContent).toMatchObject({ verdict: 'broken', cause: 'reserialised-python' });
    expect(textOf(diagnosis)).toMatch(/^reserialised-python: .*json\.dumps.* — fix: .*request\.get_data\(\)/);

    // The route that verifies request.get_data(): the fix.
    const smoke = await call('smoke_test', { url: app.url('/webhook'), events: ['catalog.product.created'] });
    const report = smoke.structuredContent as { checks: { id: string; verdict: string }[] };
    const verdicts = Object.fromEntries(report.checks.map((c) => [c.id, c.verdict]));
    expect(verdicts['signature.wrong']).toBe('pass');
    expect(verdicts['raw-body.pretty-printed']).toBe('pass');
  }, 120_000);
});
