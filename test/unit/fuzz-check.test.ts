import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
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
    expect(result.reason).toMatch(/^timeout to payload 1 of 10, shrunk in \d+ steps \(stopped after 0\.15 s\)/);
    const saved = join(dir, 'catalog.product.created-seed-9.json');
    expect(existsSync(saved)).toBe(true);
    expect(result.reason).toContain(readFileSync(saved, 'utf8'));
  });
});
