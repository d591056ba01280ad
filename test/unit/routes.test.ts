import { describe, expect, it } from 'vitest';
import { matchesPattern, parseRouteFlag, routeFor } from '../../src/receiver/routes.js';

describe('routes', () => {
  it('matches globs on the event type; * spans dots', () => {
    expect(matchesPattern('catalog.*', 'catalog.product.created')).toBe(true);
    expect(matchesPattern('catalog.*', 'customer.product.viewed')).toBe(false);
    expect(matchesPattern('customer.*.completed', 'customer.purchase.completed')).toBe(true);
    expect(matchesPattern('customer.purchase.completed', 'customer.purchase.completed')).toBe(true);
    // A dot is a dot, not "any character".
    expect(matchesPattern('catalog.product.created', 'catalogXproductXcreated')).toBe(false);
    expect(matchesPattern('*', null)).toBe(true);
    expect(matchesPattern('catalog.*', null)).toBe(false);
  });

  it('takes the first matching route', () => {
    const routes = [
      parseRouteFlag('catalog.product.*=http://127.0.0.1:1/a', false),
      parseRouteFlag('catalog.*=http://127.0.0.1:2/b', false),
      parseRouteFlag('http://127.0.0.1:3/c?x=1', false),
    ];
    expect(routeFor(routes, 'catalog.product.created')?.url.port).toBe('1');
    expect(routeFor(routes, 'catalog.bulk.import.completed')?.url.port).toBe('2');
    expect(routeFor(routes, 'search.zero_results')).toMatchObject({ pattern: '*' });
    // A bare URL whose query holds '=' is still a bare URL.
    expect(routes[2]!.url.search).toBe('?x=1');
  });

  it('refuses remote targets and bad patterns with a usage error', () => {
    expect(() => parseRouteFlag('catalog.*=http://example.com/x', false)).toThrow(/not on this machine/);
    expect(() => parseRouteFlag('catalog/x=http://127.0.0.1/x', false)).toThrow(/is not an event pattern/);
  });
});
