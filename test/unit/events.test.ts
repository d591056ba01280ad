import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, EVENT_TYPES, suggestEventTypes } from '../../src/core/events.js';
import { loadSampleEnvelope } from '../../src/samples/sample-payloads.js';

// The platform document sits beside the repository (shared/); a bare clone has no copy, so the
// repository keeps its event list and examples (fixtures/platform-doc/) and checks against those.
const DOC = new URL('../../../shared/platform-webhooks.md', import.meta.url);
const COPY = new URL('../../fixtures/platform-doc/platform-webhooks-excerpt.md', import.meta.url);
const haveDoc = existsSync(DOC);

const listedTypes = (markdown: string) => [...markdown.matchAll(/^- \*\*`([a-z_.]+)`\*\*/gm)].map((m) => m[1]);
const jsonExamples = (markdown: string) =>
  [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));

describe('event catalogue', () => {
  it('has the 16 types of the platform document, each with a sample fixture', () => {
    expect(EVENT_TYPES).toHaveLength(16);
    const fixtures = readdirSync(new URL('../../fixtures/events/', import.meta.url)).map((f) =>
      f.replace(/\.json$/, ''),
    );
    expect(fixtures.sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('names exactly the types the platform document lists', () => {
    expect(listedTypes(readFileSync(COPY, 'utf8'))).toEqual([...EVENT_TYPES]);
  });

  it.each(EVENT_CATALOGUE.map((e) => e.type))('%s sample is a well-formed envelope', (type) => {
    const envelope = loadSampleEnvelope(type);
    expect(envelope.event).toBe(type);
    expect(envelope.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(typeof envelope.data).toBe('object');
    if (type.startsWith('customer.')) expect(envelope.data).toHaveProperty('customer_id');
    if (type.startsWith('catalog.product.')) expect(envelope.data).toHaveProperty('product_id');
  });

  it('reproduces the three examples of the platform document field for field', () => {
    const blocks = jsonExamples(readFileSync(COPY, 'utf8'));
    expect(blocks).toHaveLength(3);
    for (const block of blocks) expect(loadSampleEnvelope(block.event)).toEqual(block);
  });

  it.skipIf(!haveDoc)('keeps its copy of the platform document in step with the document', () => {
    const doc = readFileSync(DOC, 'utf8');
    const copy = readFileSync(COPY, 'utf8');
    expect(listedTypes(copy)).toEqual(listedTypes(doc));
    expect(jsonExamples(copy)).toEqual(jsonExamples(doc));
  });

  it('catalog.product.updated carries sku and quantity (the inventory example reads them)', () => {
    expect(loadSampleEnvelope('catalog.product.updated').data).toMatchObject({
      sku: expect.any(String),
      quantity: expect.any(Number),
    });
  });

  it('suggests the intended type for a typo', () => {
    expect(suggestEventTypes('catalog.product.creatd')).toEqual(['catalog.product.created']);
    expect(suggestEventTypes('purchase')).toEqual(['customer.purchase.completed']);
    expect(suggestEventTypes('zzzz')).toEqual([]);
  });
});
