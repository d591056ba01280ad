/**
 * `trigger`'s faults, the command run in-process against receivers on loopback ports that record
 * when each request arrived and when it was answered — duplicates (identical id, bytes and
 * signature), concurrent duplicates, shuffles repeatable by seed, jitter, load-run counts — and a
 * Python receiver written as users write them, which processes a duplicate twice unless it dedupes.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { tempDir } from '../helpers/cli.js';
import { startInventoryReceiver } from '../helpers/inventory-receiver.js';
import { skipWithout } from '../helpers/required-program.js';
import { runCli } from '../helpers/run-cli.js';

const SECRET = 's3cret';

interface TimedRequest {
  id: string;
  event: string;
  signature: string;
  body: Buffer;
  arrivedAt: number;
  answeredAt?: number;
}

/** Records each request's arrival (body complete) and answer times; answers 200 after `delayMs`. */
async function timedReceiver(delayMs = 0) {
  const requests: TimedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: TimedRequest = {
        id: String(req.headers['x-webhook-delivery']),
        event: String(req.headers['x-webhook-event']),
        signature: String(req.headers['x-webhook-signature']),
        body: Buffer.concat(chunks),
        arrivedAt: performance.now(),
      };
      requests.push(r);
      setTimeout(() => res.end('ok', () => (r.answeredAt = performance.now())), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  const close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  closers.push(close);
  return { url, requests };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const trigger = (args: string[]) => runCli(['trigger', '--secret', SECRET, ...args]);

describe('trigger --duplicates', () => {
  it('sends the share asked for again, right after the first answer, with the same id, bytes and signature', async () => {
    const receiver = await timedReceiver(20);
    const configDir = tempDir();
    const result = await runCli(
      ['trigger', '--secret', SECRET, '--all', '--to', receiver.url, '--duplicates', '0.25', '--seed', '7', '--json'],
      { configDir },
    );
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.seed).toBe(7);
    expect(out.faults).toMatchObject({ duplicates: 0.25, concurrent_duplicates: false });
    // Exactly round(0.25 × 16) deliveries are sent twice.
    expect(receiver.requests).toHaveLength(20);
    const copies = out.deliveries.filter((d: { duplicate: boolean }) => d.duplicate);
    expect(copies).toHaveLength(4);
    expect(out.deliveries.map((d: { order: number }) => d.order)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The output's order is the order the receiver saw.
    expect(receiver.requests.map((r) => r.id)).toEqual(
      out.deliveries.map((d: { delivery_id: string }) => d.delivery_id),
    );
    for (const copy of copies) {
      const [first, second] = receiver.requests.filter((r) => r.id === copy.delivery_id);
      expect(second, copy.delivery_id).toBeDefined();
      expect(second!.body.equals(first!.body)).toBe(true);
      expect(second!.signature).toBe(first!.signature);
      expect(second!.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(second!.body).digest('hex')}`);
      // Right after the first answer: never before it, and before the next delivery.
      expect(second!.arrivedAt).toBeGreaterThanOrEqual(first!.answeredAt!);
      expect(receiver.requests.indexOf(second!)).toBe(receiver.requests.indexOf(first!) + 1);
    }
    expect(new Set(receiver.requests.map((r) => r.id)).size).toBe(16);
    // The history keeps both sends, the copy marked.
    const history = JSON.parse((await runCli(['history', '--json', '--limit', '100'], { configDir })).stdout) as Array<{
      delivery_id: string;
      duplicate: boolean;
    }>;
    expect(history).toHaveLength(20);
    expect(
      history
        .filter((h) => h.duplicate)
        .map((h) => h.delivery_id)
        .sort(),
    ).toEqual(copies.map((c: { delivery_id: string }) => c.delivery_id).sort());
  });

  it('--concurrent-duplicates sends the copy at the same moment: both arrive before either is answered', async () => {
    const receiver = await timedReceiver(300);
    const result = await trigger([
      'catalog.product.created',
      'customer.cart.added',
      '--to',
      receiver.url,
      '--duplicates',
      '1',
      '--concurrent-duplicates',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(4);
    for (const id of new Set(receiver.requests.map((r) => r.id))) {
      const [a, b] = receiver.requests.filter((r) => r.id === id);
      expect(b!.body.equals(a!.body)).toBe(true);
      expect(b!.signature).toBe(a!.signature);
      expect(Math.max(a!.arrivedAt, b!.arrivedAt)).toBeLessThan(Math.min(a!.answeredAt!, b!.answeredAt!));
    }
    expect(JSON.parse(result.stdout).faults.concurrent_duplicates).toBe(true);
  });

  it('a load run counts the duplicates in its summary', async () => {
    const receiver = await timedReceiver();
    const result = await trigger([
      'customer.cart.added',
      'search.zero_results',
      '--count',
      '5',
      '--concurrency',
      '3',
      '--to',
      receiver.url,
      '--duplicates',
      '0.3',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const { summary, seed } = JSON.parse(result.stdout);
    expect(Number.isInteger(seed)).toBe(true);
    expect(summary).toMatchObject({ sent: 13, duplicates: 3, succeeded: 13 });
    expect(receiver.requests).toHaveLength(13);
    expect(new Set(receiver.requests.map((r) => r.id)).size).toBe(10);

    const human = await trigger([
      'customer.cart.added',
      '--count',
      '4',
      '--to',
      receiver.url,
      '--duplicates',
      '0.5',
      '--seed',
      '3',
    ]);
    expect(human.stdout).toContain('sent 6 (2 of them duplicates)');
    expect(human.stderr).toContain('seed 3 (duplicates 0.5) — pass --seed 3 to repeat');
  });
});

describe('trigger --shuffle / --seed / --jitter', () => {
  const orderOf = async (seedArgs: string[]) => {
    const receiver = await timedReceiver();
    const result = await trigger(['--all', '--to', receiver.url, '--shuffle', ...seedArgs]);
    expect(result.code).toBe(0);
    return { order: receiver.requests.map((r) => r.event), result };
  };

  it('the same seed gives the same order, another seed another; the seed in use is printed', async () => {
    const first = await orderOf(['--seed', '1']);
    const again = await orderOf(['--seed', '1']);
    const other = await orderOf(['--seed', '2']);
    expect(first.order).toEqual(again.order);
    expect(first.order).not.toEqual(other.order);
    expect([...first.order].sort()).toEqual([...EVENT_TYPES].sort());
    expect(first.order).not.toEqual(EVENT_TYPES);
    // Human lines show the order sent.
    expect(first.result.stdout.split('\n')[0]).toMatch(
      new RegExp(`^#1 +✓ 200 {2}${first.order[0]!.replace(/\./g, '\\.')}`),
    );

    // Without --seed one is drawn and printed on stderr; passing it repeats the run.
    const unseeded = await orderOf([]);
    const seed = /^seed (\d+) \(shuffled\) — pass --seed \1 to repeat/m.exec(unseeded.result.stderr)?.[1];
    expect(seed, unseeded.result.stderr).toBeDefined();
    expect((await orderOf(['--seed', seed!])).order).toEqual(unseeded.order);
  });

  it('--jitter waits a delay from the range before each send', async () => {
    const receiver = await timedReceiver();
    const result = await trigger([
      'catalog.product.created',
      'catalog.product.updated',
      'customer.cart.added',
      'search.zero_results',
      '--to',
      receiver.url,
      '--jitter',
      '40-120ms',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const { deliveries, faults } = JSON.parse(result.stdout);
    expect(faults.jitter_ms).toEqual({ min: 40, max: 120 });
    for (const d of deliveries) {
      expect(d.delay_ms).toBeGreaterThanOrEqual(40);
      expect(d.delay_ms).toBeLessThanOrEqual(120);
    }
    // Each request arrived at least its delay after the previous one was answered. Node's timers
    // count from the event loop's cached time, which can lag a few milliseconds: allow 10.
    for (let i = 1; i < receiver.requests.length; i++) {
      expect(receiver.requests[i]!.arrivedAt - receiver.requests[i - 1]!.answeredAt!).toBeGreaterThanOrEqual(
        deliveries[i].delay_ms - 10,
      );
    }
  });

  it('bad fault flags are usage errors with one line naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--duplicates', '1.5'], /--duplicates.*share from 0 to 1/],
      [['--jitter', '500-100ms'], /--jitter.*write the smaller delay first/],
      [['--jitter', 'soon'], /--jitter.*0-500ms/],
      [['--seed', '-4'], /--seed.*whole number/],
      [['--concurrent-duplicates'], /--concurrent-duplicates.*none are asked for — add --duplicates F/],
    ];
    for (const [args, message] of cases) {
      const result = await trigger(['catalog.product.created', '--to', 'http://127.0.0.1:9/webhook', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('a receiver that does not dedupe, against duplicates', () => {
  it.skipIf(skipWithout('python3', ['--version']))(
    'counts stock twice for a duplicated delivery; the deduping one counts it once and still answers 200',
    async () => {
      for (const dedupe of [false, true]) {
        const receiver = await startInventoryReceiver(SECRET, { dedupe });
        closers.push(receiver.stop);
        const result = await trigger([
          '--scenario',
          'bulk-import',
          '--to',
          receiver.url,
          '--duplicates',
          '1',
          '--seed',
          '11',
          '--json',
        ]);
        expect(result.code).toBe(0);
        const state = await receiver.state();
        expect(state.ids).toHaveLength(12);
        expect(state.duplicates_seen).toBe(6);
        const stock = Object.values(state.stock);
        expect(stock).toHaveLength(5);
        expect(stock.every((n) => n === (dedupe ? 1 : 2))).toBe(true);
        expect(state.processed).toBe(dedupe ? 6 : 12);
      }
    },
  );
});
