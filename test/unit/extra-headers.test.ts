/** `trigger --header 'Name: value'`: parsed, and the signed headers kept for --unsigned. */
import { describe, expect, it } from 'vitest';
import { parseHeaderFlags } from '../../src/core/extra-headers.js';

describe('trigger --header', () => {
  it('lower-cases names, trims values, joins a repeated name', () => {
    expect(parseHeaderFlags(['X-Tenant: acme', 'x-tenant:beta', 'Accept-Language:  fr '], { unsigned: false })).toEqual(
      { 'x-tenant': 'acme, beta', 'accept-language': 'fr' },
    );
  });
  it("keeps the signed delivery's headers unless unsigned, and the connection's always", () => {
    expect(() => parseHeaderFlags(['X-WEBHOOK-SIGNATURE: x'], { unsigned: false })).toThrow(
      '--header would override X-Webhook-Signature',
    );
    expect(parseHeaderFlags(['X-WEBHOOK-SIGNATURE: x'], { unsigned: true })).toEqual({ 'x-webhook-signature': 'x' });
    expect(() => parseHeaderFlags(['Transfer-Encoding: chunked'], { unsigned: true })).toThrow(
      '--header cannot set Transfer-Encoding',
    );
  });
});
