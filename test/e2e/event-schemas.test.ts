/**
 * The event schemas from outside: `events schema`, `events types --lang typescript` compiled with
 * tsc (and a misuse rejected), trigger refusing what breaks a schema, and what each command loads.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { COMMAND_TABLE, packagesLoaded } from '../helpers/loaded-packages.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const TSC = new URL('../../node_modules/typescript/bin/tsc', import.meta.url).pathname;

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('events schema', () => {
  it('prints one envelope schema, or the bundle with --all', async () => {
    const one = await spawnCli(['events', 'schema', 'catalog.product.created']);
    expect(one.exitCode).toBe(0);
    const schema = JSON.parse(one.stdout) as {
      $schema: string;
      properties: { event: unknown; data: { required: string[] } };
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.event).toEqual({ const: 'catalog.product.created' });
    expect(schema.properties.data.required).toContain('price');
    const all = JSON.parse((await spawnCli(['events', 'schema', '--all'])).stdout) as {
      oneOf: unknown[];
      $defs: Record<string, unknown>;
    };
    expect(all.oneOf).toHaveLength(16);
    expect(Object.keys(all.$defs)).toContain('customer.purchase.completed');
  });

  it.each([
    [
      ['events', 'schema', 'catalog.product.creatd'],
      /unknown event type "catalog\.product\.creatd" — did you mean catalog\.product\.created\?/,
    ],
    [['events', 'schema'], /no event type given — name one .*or pass --all/],
    [['events', 'schema', 'catalog.product.created', '--all'], /name one event type or pass --all, not both/],
    [['events', 'types', '--lang', 'python'], /argument 'python' is invalid/],
  ])('%j is a usage error (exit 2) with one line', async (args, message) => {
    const result = await spawnCli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('events types --lang typescript', () => {
  it('compiles with tsc; narrowing on event types data; a misuse is rejected', async () => {
    const generated = await spawnCli(['events', 'types', '--lang', 'typescript']);
    expect(generated.exitCode, generated.stderr).toBe(0);
    const dir = tempDir();
    writeFileSync(join(dir, 'webhook-events.ts'), generated.stdout);
    writeFileSync(
      join(dir, 'handler.ts'),
      `
import { EVENT_TYPES, WEBHOOK_HEADERS, type EventOf, type EventType, type WebhookEvent } from './webhook-events.js';

export function amount(e: WebhookEvent): number {
  if (e.event === 'catalog.product.created') {
    const price: number = e.data.price;
    // @ts-expect-error price is a number, not a string
    const text: string = e.data.price;
    return price + text.length;
  }
  switch (e.event) {
    case 'customer.purchase.completed':
      return e.data.items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0);
    case 'customer.cart.added':
      return e.data.quantity;
    default:
      return 0;
  }
}
// @ts-expect-error not an event type
export const typo: EventType = 'catalog.product.creatd';
export const cart: EventOf<'customer.cart.added'>['data']['cart_id'] = 'cart_1';
export const header: 'X-Webhook-Delivery' = WEBHOOK_HEADERS.delivery;
export const count: number = EVENT_TYPES.length;
`,
    );
    // Without narrowing, \`data.price\` is not there on every event: tsc must refuse it.
    writeFileSync(
      join(dir, 'misuse.ts'),
      `
import type { WebhookEvent } from './webhook-events.js';
export const price = (e: WebhookEvent): number => e.data.price;
`,
    );
    const flags = [
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
    ];
    const good = await execa(process.execPath, [TSC, ...flags, join(dir, 'handler.ts')], { reject: false, cwd: dir });
    expect(good.exitCode, good.stdout).toBe(0);
    const bad = await execa(process.execPath, [TSC, ...flags, join(dir, 'misuse.ts')], { reject: false, cwd: dir });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout).toMatch(/misuse\.ts.*error TS2339: Property 'price' does not exist/s);
  }, 60_000);
});

describe('trigger checks --set and --data against the schema', () => {
  const trigger = (args: string[], input?: string) =>
    spawnCli(['trigger', '--to', server!.url, '--secret', SECRET, ...args], input === undefined ? {} : { input });

  it.each([
    [['catalog.product.created', '--set', 'data.price="cheap"'], 'data.price: must be number (type)'],
    [['customer.cart.added', '--set', 'data.quantity=0'], 'data.quantity: must be >= 1 (minimum)'],
    [['customer.cart.added', '--set', 'data.currency=usd'], 'data.currency: must match pattern "^[A-Z]{3}$" (pattern)'],
    [['customer.cart.added', '--set', 'data.customer_id=null'], 'data.customer_id: must be string (type)'],
  ])('%j is refused (exit 2) naming the path and the rule; nothing is sent', async (args, issue) => {
    server = await startRecordingServer();
    const result = await trigger(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `error: the payload breaks the ${args[0]} schema: ${issue} — fix it (webhooks-cli events schema ${args[0]} shows the rules), or pass --no-validate to send it anyway`,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('--data: a data object missing a required field is refused; --no-validate sends it as asked', async () => {
    server = await startRecordingServer();
    const refused = await trigger(['catalog.product.deleted', '--data', '-'], '{"product_id":"prod_9"}');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/data\.sku: is required \(required\); data\.deleted_at: is required \(required\)/);
    const sent = await trigger(['catalog.product.deleted', '--data', '-', '--no-validate'], '{"product_id":"prod_9"}');
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(JSON.parse(server.requests[0]!.body.toString()).data).toEqual({ product_id: 'prod_9' });
  });

  it('--set adds a field the sample lacks where the schema declares it, and nowhere else', async () => {
    server = await startRecordingServer();
    const added = await trigger([
      'catalog.product.created',
      '--set',
      'data.description=Light linen',
      '--set',
      'data.attributes.fit=relaxed',
    ]);
    expect(added.exitCode, added.stderr).toBe(0);
    const data = JSON.parse(server.requests[0]!.body.toString()).data as Record<string, unknown>;
    expect(data.description).toBe('Light linen');
    expect(data.attributes).toMatchObject({ color: 'blue', fit: 'relaxed' });
    const nested = await trigger(['catalog.product.updated', '--set', 'data.previous.name=Old name']);
    expect(nested.exitCode, nested.stderr).toBe(0);
    expect(JSON.parse(server.requests[1]!.body.toString()).data.previous).toEqual({
      price: 89.99,
      quantity: 50,
      name: 'Old name',
    });

    const undeclared = await trigger(['catalog.product.created', '--set', 'data.colour=red']);
    expect(undeclared.exitCode).toBe(2);
    expect(undeclared.stderr).toContain('the payload has no field "data.colour"');
    // --no-validate: whatever was asked, an undeclared field too.
    const anyField = await trigger(['catalog.product.created', '--set', 'data.colour=red', '--no-validate']);
    expect(anyField.exitCode).toBe(0);
    expect(server.requests).toHaveLength(3);
  });
});

describe('what loads', () => {
  it('trigger loads ajv only when --set or --data changed the sample; never fast-check', async () => {
    server = await startRecordingServer();
    const plain = await packagesLoaded(['trigger', 'catalog.product.created', '--to', server.url, '--secret', SECRET]);
    expect(plain).toEqual([...COMMAND_TABLE, 'chalk'].sort());
    const changed = await packagesLoaded([
      'trigger',
      'catalog.product.created',
      '--to',
      server.url,
      '--secret',
      SECRET,
      '--set',
      'data.price=5',
    ]);
    expect(changed).toEqual(expect.arrayContaining(['ajv', 'ajv-formats']));
    expect(changed).not.toContain('fast-check');
    expect(server.requests).toHaveLength(2);
  });

  it('events schema and events types load no validator or generator: the types are generated at build time', async () => {
    for (const args of [
      ['events', 'schema', '--all'],
      ['events', 'types'],
    ]) {
      const loaded = await packagesLoaded(args);
      expect(loaded, args.join(' ')).toEqual(expect.arrayContaining(COMMAND_TABLE));
      for (const heavy of ['ajv', 'ajv-formats', 'json-schema-to-typescript', 'prettier', 'fast-check'])
        expect(loaded, args.join(' ')).not.toContain(heavy);
    }
  });
});
