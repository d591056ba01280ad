/** The doctor's plan and verdict as pure functions: bounded, distinct, and each answer read right. */
import { describe, expect, it } from 'vitest';
import { MAX_DOCTOR_REQUESTS } from '../../src/doctor/doctor-run.js';
import { planExperiments } from '../../src/doctor/experiments.js';
import { buildProbe } from '../../src/doctor/probe-body.js';
import { judge, languageOf, type Trial } from '../../src/doctor/verdict.js';

const probe = buildProbe('catalog.product.created', new Date('2026-01-05T08:00:00Z'));

describe('the plan', () => {
  it('stays under the documented bound for every kind of secret, each signature distinct', () => {
    for (const secret of [
      's3cret',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      ' whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n',
    ]) {
      const plan = planExperiments(probe, secret);
      const all = [plan.baseline, ...plan.hypotheses];
      expect(all.length).toBeLessThanOrEqual(MAX_DOCTOR_REQUESTS);
      expect(new Set(all.map((e) => JSON.stringify(e.signature))).size).toBe(all.length);
    }
    expect(planExperiments(probe, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').hypotheses).toHaveLength(
      MAX_DOCTOR_REQUESTS - 1,
    );
  });

  it('tries base64 and the prefix only for a secret that has them', () => {
    const causes = (secret: string) => planExperiments(probe, secret).hypotheses.map((e) => e.hypothesis);
    expect(causes('s3cret')).not.toContain('secret-base64');
    expect(causes('s3cret')).not.toContain('secret-prefix');
    expect(causes('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual(
      expect.arrayContaining(['secret-base64', 'secret-prefix']),
    );
  });

  it('sends a probe that lacks a feature once for the hypotheses it cannot tell apart', () => {
    const plain = buildProbe('recommendation.clicked'); // no text, no float
    const stacks = planExperiments(plain, 's3cret').hypotheses.filter((e) => e.stack);
    expect(stacks.length).toBeLessThan(8);
  });
});

describe('the verdict', () => {
  const plan = planExperiments(probe, 's3cret');
  const trial = (experiment = plan.baseline, status: number | null = 401, server?: string): Trial => ({
    experiment,
    deliveryId: 'dlv_x',
    status,
    ...(server ? { server } : {}),
  });

  it('a 404 or a redirect is the route, not the signature: no cause, no hypotheses needed', () => {
    expect(judge({ baseline: trial(plan.baseline, 404), acceptsAnything: [], hypotheses: [] })).toMatchObject({
      verdict: 'broken',
      cause: null,
      fix: expect.stringContaining('path in --url'),
    });
    expect(judge({ baseline: trial(plan.baseline, 302), acceptsAnything: [], hypotheses: [] }).fix).toContain(
      'redirects are not followed',
    );
  });

  it('one lax answer of the two is enough to call it accepts-anything', () => {
    const [wrong, none] = plan.acceptsAnything;
    const d = judge({
      baseline: trial(plan.baseline, 200),
      acceptsAnything: [trial(wrong, 401), trial(none, 200)],
      hypotheses: [],
    });
    expect(d.cause).toBe('accepts-anything');
    expect(d.summary).toContain('no signature at all');
  });

  it("fixes a secret with whitespace in the language the receiver's Server header names", () => {
    const whitespace = plan.hypotheses.find((e) => e.hypothesis === 'secret-whitespace')!;
    const d = judge({
      baseline: trial(plan.baseline, 401, 'PHP/8.2.0'),
      acceptsAnything: [],
      hypotheses: [trial(whitespace, 200)],
    });
    expect(d).toMatchObject({
      cause: 'secret-whitespace',
      fix: expect.stringContaining('trim(file_get_contents($path))'),
    });
    expect(languageOf('Werkzeug/2.2.2 Python/3.11.2')).toBe('python');
    expect(languageOf('WEBrick/1.8.1 (Ruby/3.1.2/2022-04-12)')).toBe('ruby');
    expect(languageOf(undefined)).toBeUndefined();
  });
});
