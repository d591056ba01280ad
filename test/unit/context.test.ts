import { describe, expect, it } from 'vitest';
import { isInCi, isInteractive } from '../../src/cli/context.js';

describe('isInteractive', () => {
  it('needs a terminal', () => {
    expect(isInteractive({ isTTY: true }, {})).toBe(true);
    expect(isInteractive({ isTTY: false }, {})).toBe(false);
    expect(isInteractive({}, {})).toBe(false);
  });

  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: '' }, true], // ink's rule: set at all means CI, and ink must agree with us
    [{ CI: 'false' }, false],
    [{ CI: '0' }, false],
    [{ CONTINUOUS_INTEGRATION: 'yes' }, true],
    [{}, false],
  ])('CI detection for %j is %s, as ink decides it', (env, ci) => {
    expect(isInCi(env)).toBe(ci);
    expect(isInteractive({ isTTY: true }, env)).toBe(!ci);
  });

  it('a dumb terminal gets plain lines', () => {
    expect(isInteractive({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});
