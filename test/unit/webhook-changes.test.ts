import { describe, expect, it } from 'vitest';
import {
  buildUpdateBody,
  checkUpdateFlags,
  parseEventList,
  requireEndpointUrl,
} from '../../src/commands/webhook-changes.js';
import { EVENT_TYPES } from '../../src/core/events.js';
import { UsageError } from '../../src/errors.js';

describe('update bodies', () => {
  it('holds only the fields given', () => {
    expect(buildUpdateBody({ debugMode: true })).toEqual({ debug_mode: true });
    expect(buildUpdateBody({ debugMode: false })).toEqual({ debug_mode: false });
    expect(buildUpdateBody({ inactive: true })).toEqual({ active: false });
    expect(buildUpdateBody({ url: 'https://example.com/h', secret: 'new' })).toEqual({
      url: 'https://example.com/h',
      secret: 'new',
    });
  });

  it('adds and removes events relative to the current list', () => {
    const body = buildUpdateBody({ addEvent: ['customer.cart.added'], removeEvent: ['search.zero_results'] }, [
      'search.zero_results',
      'catalog.product.created',
    ]);
    expect(body).toEqual({ events: ['catalog.product.created', 'customer.cart.added'] });
  });

  it('checks add/remove flags without the current list (no false "no events")', () => {
    expect(() => checkUpdateFlags({ removeEvent: ['catalog.product.created'] })).not.toThrow();
    expect(() => checkUpdateFlags({ addEvent: ['customer.cart.add'] })).toThrow(/unknown event type/);
    expect(
      buildUpdateBody({ removeEvent: ['catalog.product.created'] }, ['catalog.product.created', 'customer.cart.added']),
    ).toEqual({ events: ['customer.cart.added'] });
  });

  it('refuses contradictions, empty lists and nothing to do, as usage errors', () => {
    expect(() => buildUpdateBody({})).toThrow(/nothing to update/);
    expect(() => buildUpdateBody({ active: true, inactive: true })).toThrow(/contradict/);
    expect(() => buildUpdateBody({ events: ['catalog.product.created'], addEvent: ['customer.cart.added'] })).toThrow(
      /cannot be combined/,
    );
    expect(() => buildUpdateBody({ removeEvent: ['catalog.product.created'] }, ['catalog.product.created'])).toThrow(
      /no events/,
    );
    expect(() => buildUpdateBody({})).toThrow(UsageError);
  });

  it('checks event names with a did-you-mean, and expands all', () => {
    const error = (() => {
      try {
        parseEventList(['catalog.prodcut.created']);
      } catch (err) {
        return err as UsageError;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.message).toBe('unknown event type "catalog.prodcut.created"');
    expect(error?.hint).toMatch(/did you mean catalog\.product\.created/);
    expect(parseEventList(['all'])).toEqual([...EVENT_TYPES]);
    expect(parseEventList(['customer.cart.added,customer.cart.added', 'search.zero_results'])).toEqual([
      'customer.cart.added',
      'search.zero_results',
    ]);
    expect(() => parseEventList([','])).toThrow(/at least one/);
  });

  it('accepts only http(s) endpoint URLs', () => {
    expect(requireEndpointUrl('https://example.com/hook')).toBe('https://example.com/hook');
    expect(() => requireEndpointUrl('example.com/hook')).toThrow(/not a URL/);
    expect(() => requireEndpointUrl('ftp://example.com/hook')).toThrow(/http\(s\)/);
  });
});
