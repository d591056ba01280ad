/** Following `Link: rel="next"` through the API's pages. */
import { describe, expect, it } from 'vitest';
import { nextFromLinkHeader, nextPage } from '../../src/api/next-page.js';

describe('next pages', () => {
  const base = new URL('https://api.example/api/v1/webhooks?limit=2');
  it('Link rel="next" among others, relative or absolute, quoted or not', () => {
    expect(
      nextFromLinkHeader('<https://api.example/p?a=1,2>; rel="prev", </api/v1/webhooks?page=3>; rel="next last"', base)
        ?.href,
    ).toBe('https://api.example/api/v1/webhooks?page=3');
    expect(nextFromLinkHeader('<?page=2>; rel=next', base)?.href).toBe('https://api.example/api/v1/webhooks?page=2');
    expect(nextFromLinkHeader('<?page=2>; rel="prev"', base)).toBeUndefined();
  });
  it("a body's next, or has_more + next_cursor; has_more false ends it", () => {
    expect(nextPage(undefined, { next: '/n' }, base)?.href).toBe('https://api.example/n');
    expect(nextPage(undefined, { has_more: true, next_cursor: 'c' }, base)?.href).toBe(
      'https://api.example/api/v1/webhooks?limit=2&cursor=c',
    );
    expect(nextPage(undefined, { has_more: false, next_cursor: 'c' }, base)).toBeUndefined();
  });
});
