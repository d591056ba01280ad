import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { verify } from '../../src/core/signature.js';
import { EventValidator } from '../../src/schemas/event-validator.js';
import type { ExchangeOutcome } from '../../src/smoke/check-verdict.js';
import { fuzzCheck } from '../../src/smoke/fuzz-check.js';
import type { ProbeRequest } from '../../src/smoke/smoke-checks.js';
import { tempDir } from '../helpers/cli.js';

const answer = (request: ProbeRequest, status: number | null, durationMs = 1): ExchangeOutcome => ({
  label: request.label,
  event: request.event,
  deliveryId: request.deliveryId,
  valid: request.valid,
  status,
  durationMs,
  error: status === null ? 'timeout' : null,
  errorCode: status === null ? 'timeout' : null,
  responseExcerpt: '',
});

describe('the --fuzz check', () => {
  it('signs every payload with the secret over the exact bytes it sends', async () => {
    const seen: ProbeRequest[] = [];
    const check = fuzzCheck({
      runs: 20,
      seed: 5,
      events: ['customer.cart.added'],
      secret: 's3cret',
      userAgent: 'test/1',
      failuresDir: tempDir(),
    });
    const result = await check.run(async (request) => (seen.push(request), answer(request, 204)));
    expect(result.passed).toBe(true);
    expect(seen).toHaveLength(20);
    for (const r of seen) {
      expect(verify(r.body, r.headers['x-webhook-signature'], ['s3cret']).valid).toBe(true);
      expect(r.headers['x-webhook-event']).toBe(JSON.parse(r.body.toString('utf8')).event);
    }
  });

  it('stops shrinking when its budget is spent and reports the smallest failure so far', async () => {
    const dir = tempDir();
    const check = fuzzCheck({
      runs: 10,
      seed: 9,
      events: ['catalog.product.created'],
      secret: 's',
      userAgent: 'test/1',
      failuresDir: dir,
      shrinkBudgetMs: 150,
    });
    // A receiver that always times out, slowly: unbounded shrinking would take many tries.
    const result = await check.run(async (request) => {
      await new Promise((r) => setTimeout(r, 40));
      return answer(request, null, 40);
    });
    expect(result.passed).toBe(false);
    expect(result.reason).toMatch(
      /^timeout to payload 1 of 10, shrunk in \d+ steps \(\d+ tries\) \(stopped after 0\.15 s\)/,
    );
    const saved = join(dir, 'catalog.product.created-seed-9.json');
    expect(existsSync(saved)).toBe(true);
    expect(result.payload).toBe(readFileSync(saved, 'utf8'));
  });

  it('shrinks largest steps first, over the schema: a Latin-1 receiver comes down to the one character it fails on', async () => {
    // As test/fixture-apps/audit_log_receiver.py behaves: any text beyond Latin-1 drops the connection.
    // Seed 812140160 draws a purchase with a long list of items first (fast-check's own shrinking
    // kept at least 100 of them: 779 steps to 5,101 bytes).
    const seen: ProbeRequest[] = [];
    const check = fuzzCheck({
      runs: 50,
      seed: 812140160,
      events: [...EVENT_TYPES],
      secret: 's',
      userAgent: 'test/1',
      failuresDir: tempDir(),
    });
    const latin1Only = (request: ProbeRequest) =>
      ![...request.body.toString('utf8')].some((c) => c.codePointAt(0)! > 0xff);
    const result = await check.run(async (request) => {
      seen.push(request);
      return latin1Only(request)
        ? answer(request, 200)
        : { ...answer(request, null), error: 'reset', errorCode: 'reset' };
    });
    expect(result.passed).toBe(false);
    const payload = result.payload!;
    expect(Buffer.byteLength(payload)).toBeLessThan(400);
    // Only the cause is left unusual: one character beyond Latin-1.
    expect([...payload].filter((c) => c.codePointAt(0)! > 0xff)).toHaveLength(1);
    expect(new EventValidator().validate(JSON.parse(payload).event, JSON.parse(payload))).toEqual([]);
    const [, steps, tries] = /shrunk in (\d+) steps \((\d+) tries\)/.exec(result.reason)!;
    expect(Number(tries)).toBeLessThan(100);
    expect(Number(steps)).toBeGreaterThan(0);
    // The tries stay out of the history; the first failure and the shrunk one, resent, are in it.
    const recorded = seen.filter((r) => !r.keepOutOfHistory);
    expect(seen.length - recorded.length).toBe(Number(tries));
    expect(recorded.at(-1)!.body.toString('utf8')).toBe(payload);
    expect(recorded.filter((r) => !latin1Only(r))).toHaveLength(2);
  });
});
