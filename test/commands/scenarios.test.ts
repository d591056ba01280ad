/**
 * Scenarios, the commands run in-process: `scenarios list|show`, and `trigger --scenario` against a recording
 * receiver — each built-in's order and id consistency, shuffles, and one-line errors for bad files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function sendScenario(scenario: string, extra: string[] = []) {
  server = await startRecordingServer();
  const result = await runCli([
    'trigger',
    '--scenario',
    scenario,
    '--to',
    `${server.url}/webhook`,
    '--secret',
    SECRET,
    '--json',
    ...extra,
  ]);
  expect(result.code, result.stderr).toBe(0);
  const envelopes = server.requests.map((r) => JSON.parse(r.body.toString()));
  // The header names the event in the body, and timestamps follow the story's order.
  server.requests.forEach((r, i) => expect(r.headers['x-webhook-event']).toBe(envelopes[i].event));
  return { out: JSON.parse(result.stdout), envelopes, events: envelopes.map((e) => e.event as string) };
}

describe('scenarios', () => {
  it('list names the three built-ins with their events; show prints a file trigger can read back', async () => {
    const list = JSON.parse((await runCli(['scenarios', 'list', '--json'])).stdout);
    expect(list.map((s: { name: string }) => s.name)).toEqual(['product-lifecycle', 'shopping-journey', 'bulk-import']);
    expect(list.find((s: { name: string }) => s.name === 'bulk-import')).toMatchObject({ deliveries: 6 });
    const human = await runCli(['scenarios', 'list']);
    expect(human.stdout).toContain('catalog.product.created ×5 → catalog.bulk.import.completed');

    const shown = await runCli(['scenarios', 'show', 'shopping-journey']);
    expect(shown.code).toBe(0);
    const file = join(tempDir(), 'journey.json');
    writeFileSync(file, shown.stdout);
    expect(JSON.parse(shown.stdout).steps).toHaveLength(7);
    const { events } = await sendScenario(file);
    expect(events).toHaveLength(7);

    const unknown = await runCli(['scenarios', 'show', 'checkout']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^error: scenario checkout: is neither a built-in scenario nor a file — built in: product-lifecycle, shopping-journey, bulk-import/,
    );
  });

  it('product-lifecycle: created → enriched → updated → deleted, one product_id and sku', async () => {
    const { events, envelopes, out } = await sendScenario('product-lifecycle');
    expect(events).toEqual([
      'catalog.product.created',
      'catalog.product.enriched',
      'catalog.product.updated',
      'catalog.product.deleted',
    ]);
    const ids = new Set(envelopes.map((e) => e.data.product_id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^prod_[0-9a-f]{12}$/);
    expect(new Set(envelopes.map((e) => e.data.sku)).size).toBe(1);
    const times = envelopes.map((e) => Date.parse(e.timestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(out).toMatchObject({ scenario: 'product-lifecycle' });
    expect(out.deliveries.map((d: { step: number }) => d.step)).toEqual([1, 2, 3, 4]);
  });

  it('shopping-journey: search to purchase, one customer_id, the clicked product all the way to the order', async () => {
    const { events, envelopes } = await sendScenario('shopping-journey');
    expect(events).toEqual([
      'search.query.performed',
      'recommendation.shown',
      'recommendation.clicked',
      'customer.product.viewed',
      'customer.product.favorited',
      'customer.cart.added',
      'customer.purchase.completed',
    ]);
    const byEvent = Object.fromEntries(envelopes.map((e) => [e.event, e.data]));
    expect(new Set(envelopes.map((e) => e.data.customer_id)).size).toBe(1);
    expect(envelopes[0].data.customer_id).toMatch(/^cust_[0-9a-f]{12}$/);
    const product = byEvent['recommendation.clicked'].recommended_product_id;
    expect(byEvent['recommendation.shown'].products.map((p: { product_id: string }) => p.product_id)).toContain(
      product,
    );
    expect(byEvent['recommendation.shown'].source_product_id).toBe(byEvent['recommendation.clicked'].source_product_id);
    for (const event of ['customer.product.viewed', 'customer.product.favorited', 'customer.cart.added'])
      expect(byEvent[event].product_id).toBe(product);
    const order = byEvent['customer.purchase.completed'];
    expect(order.items.map((i: { product_id: string }) => i.product_id)).toEqual([product]);
    expect(order.subtotal).toBe(
      order.items.reduce(
        (sum: number, i: { quantity: number; unit_price: number }) => sum + i.quantity * i.unit_price,
        0,
      ),
    );
    expect(order.total).toBeCloseTo(order.subtotal + order.shipping + order.tax, 2);
  });

  it('bulk-import: the products created, then a completion whose counts match them', async () => {
    const { events, envelopes } = await sendScenario('bulk-import');
    expect(events).toEqual([...Array(5).fill('catalog.product.created'), 'catalog.bulk.import.completed']);
    const created = envelopes.slice(0, 5).map((e) => e.data.product_id);
    expect(new Set(created).size).toBe(5);
    const done = envelopes[5].data;
    expect(done).toMatchObject({
      total_rows: 5,
      products_created: 5,
      products_updated: 0,
      products_failed: 0,
      errors: [],
    });
    expect(done.import_id).toMatch(/^imp_[0-9a-f]{12}$/);
  });

  it('--shuffle sends the same story in another order, repeatable by seed; the ids come from the seed too', async () => {
    const a = await sendScenario('shopping-journey', ['--shuffle', '--seed', '5']);
    const b = await sendScenario('shopping-journey', ['--shuffle', '--seed', '5']);
    expect(a.events).toEqual(b.events);
    expect(a.envelopes.map((e) => e.data.customer_id)).toEqual(b.envelopes.map((e) => e.data.customer_id));
    const c = await sendScenario('shopping-journey', ['--seed', '6']);
    expect(a.events).not.toEqual(c.events);
    expect([...a.events].sort()).toEqual([...c.events].sort());
    expect(c.envelopes[0].data.customer_id).not.toBe(a.envelopes[0].data.customer_id);
  });

  it('a receiver that assumes the story arrives in order fails on a shuffled one, and trigger says how', async () => {
    // Written as many are: an update or deletion of a product it has not seen is an error.
    const known = new Set<string>();
    server = await startRecordingServer((req) => {
      const { event, data } = JSON.parse(req.body.toString());
      if (event === 'catalog.product.created') return (known.add(data.product_id), { status: 200 });
      return known.has(data.product_id) ? { status: 200 } : { status: 500, body: 'unknown product' };
    });
    const url = `${server.url}/webhook`;
    const inOrder = await runCli([
      'trigger',
      '--scenario',
      'product-lifecycle',
      '--to',
      url,
      '--secret',
      SECRET,
      '--seed',
      '2',
    ]);
    expect(inOrder.code).toBe(0);
    known.clear();
    // Seed 2 puts the creation last (the test checks that from what was received).
    const shuffled = await runCli([
      'trigger',
      '--scenario',
      'product-lifecycle',
      '--shuffle',
      '--to',
      url,
      '--secret',
      SECRET,
      '--seed',
      '2',
    ]);
    expect(JSON.parse(server.requests.at(-1)!.body.toString()).event).toBe('catalog.product.created');
    expect(shuffled.code).toBe(1);
    expect(shuffled.stderr).toContain('error: 3 of 4 deliveries failed: the receiver answered 500');
    expect(shuffled.stderr).toContain(
      'seed 2 (scenario product-lifecycle, shuffled) — pass --seed 2 to repeat these choices',
    );
  });

  it('a bad scenario file gets one line naming the step and the field, exit 2', async () => {
    const dir = tempDir();
    const cases: Array<[unknown, RegExp]> = [
      [
        { steps: [{ event: 'catalog.product.created' }, { event: 'catalog.product.create' }] },
        /step 2, "event": unknown event type "catalog\.product\.create" — did you mean catalog\.product\.created\?/,
      ],
      [
        { steps: [{ event: 'catalog.product.created', set: { 'data.prise': 10 } }] },
        /step 1, "set"\."data\.prise": the catalog\.product\.created payload has no field "data\.prise" — did you mean data\.price\?/,
      ],
      [
        {
          variables: { product: 'prod' },
          steps: [{ event: 'customer.cart.added', set: { 'data.product_id': '{{prodct}}' } }],
        },
        /step 1, "set"\."data\.product_id": unknown variable \{\{prodct\}\} — did you mean \{\{product\}\}\?/,
      ],
      [
        { steps: [{ event: 'customer.cart.added', sett: {} }] },
        /step 1, "sett": unknown field — a step has event, set, repeat — did you mean "set"\?/,
      ],
      [
        { steps: [{ event: 'customer.cart.added', repeat: 0 }] },
        /step 1, "repeat": must be a whole number from 1 to 10000/,
      ],
      [{ steps: [] }, /"steps": must be a non-empty array/],
      ['{"steps": [', /not valid JSON/],
    ];
    for (const [content, message] of cases) {
      const file = join(dir, 'bad.json');
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      const result = await runCli([
        'trigger',
        '--scenario',
        file,
        '--to',
        'http://127.0.0.1:9/webhook',
        '--secret',
        SECRET,
      ]);
      expect(result.code, result.stderr).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: scenario .*bad\.json/);
      expect(lines[0]).toMatch(message);
      const shown = await runCli(['scenarios', 'show', file]);
      expect(shown.code).toBe(2);
      expect(shown.stderr.trim()).toBe(lines[0]);
    }
    const clash = await runCli(['trigger', 'catalog.product.created', '--scenario', 'bulk-import', '--secret', SECRET]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(
      /--scenario sends its own events and fields, so event types \(catalog\.product\.created\) cannot go with it/,
    );
  });
});
