// Scenario files: parsing with errors that name the step and the field, variable expansion, the built-ins.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { prepareScenario } from '../../src/delivery/scenario-deliveries.js';
import { expandScenario, generateIds } from '../../src/scenarios/expand-scenario.js';
import { parseScenario, ScenarioError } from '../../src/scenarios/scenario.js';
import { BUILT_IN_SCENARIOS, builtInScenarios } from '../../src/scenarios/scenario-catalogue.js';

const parse = (value: unknown) => parseScenario(JSON.stringify(value), 'mine.json', 'mine');

function errorOf(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('scenario files', () => {
  it('takes the file name when there is no name, and defaults set and repeat', () => {
    expect(parse({ steps: [{ event: 'customer.cart.added' }] })).toEqual({
      name: 'mine',
      description: '',
      variables: {},
      steps: [{ event: 'customer.cart.added', set: {}, repeat: 1 }],
    });
  });

  it.each([
    [{}, '"steps"', 'is missing'],
    [{ steps: {} }, '"steps"', 'must be a non-empty array'],
    [{ steps: [{ event: 'customer.cart.added' }], stepz: [] }, '"stepz"', 'unknown field'],
    [{ steps: ['customer.cart.added'] }, 'step 1', 'must be an object'],
    [{ steps: [{ set: {} }] }, 'step 1, "event"', 'is missing'],
    [{ steps: [{ event: 'customer.cart.added' }, { event: 42 }] }, 'step 2, "event"', 'unknown event type 42'],
    [{ steps: [{ event: 'customer.cart.added', set: [] }] }, 'step 1, "set"', 'must be an object'],
    [
      { steps: [{ event: 'customer.cart.added', set: { 'data..x': 1 } }] },
      'step 1, "set"."data..x"',
      'is not a dotted path',
    ],
    [
      { steps: [{ event: 'customer.cart.added', set: { 'data.cart_id': 'c_{{cart}}' } }] },
      'step 1, "set"."data.cart_id"',
      'unknown variable {{cart}}',
    ],
    [
      { steps: [{ event: 'customer.cart.added', set: { 'data.quantity': '{{count:cart.added}}' } }] },
      'step 1, "set"."data.quantity"',
      '{{count:cart.added}} counts an unknown event type',
    ],
    [{ steps: [{ event: 'customer.cart.added', repeat: 1.5 }] }, 'step 1, "repeat"', 'must be a whole number'],
    [
      { variables: { product: 'Prod-1' }, steps: [{ event: 'customer.cart.added' }] },
      'variables."product"',
      'must be an id prefix',
    ],
    [
      { variables: { n: 'prod' }, steps: [{ event: 'customer.cart.added' }] },
      'variables."n"',
      'not a usable variable name',
    ],
    [{ name: 'Mine!', steps: [{ event: 'customer.cart.added' }] }, '"name"', 'lower-case'],
  ])('%j: %s %s', (value, where, problem) => {
    const err = errorOf(() => parse(value));
    expect(err.where).toBe(where);
    expect(err.problem).toContain(problem);
    expect(err.message).toBe(`scenario mine.json${where ? `, ${where}` : ''}: ${err.problem}`);
    expect(err.message).not.toContain('\n');
  });

  it('a payload path the sample lacks is named with its step when prepared', () => {
    const scenario = parse({
      steps: [{ event: 'customer.cart.added' }, { event: 'catalog.product.updated', set: { 'data.quantiy': 3 } }],
    });
    const err = errorOf(() => prepareScenario(scenario, 'mine.json', seededRandom(1)));
    expect(err.where).toBe('step 2, "set"."data.quantiy"');
    expect(err.problem).toBe('the catalog.product.updated payload has no field "data.quantiy"');
    expect(err.hint).toBe('did you mean data.quantity?');
  });
});

describe('expansion', () => {
  const scenario = parse({
    variables: { batch: 'prod', cust: 'cust' },
    steps: [
      {
        event: 'catalog.product.created',
        repeat: 3,
        set: {
          'data.product_id': '{{batch}}_{{n}}',
          'data.price': '{{n}}',
          'data.name': 'no. {{n}} of {{count:catalog.product.created}}',
        },
      },
      {
        event: 'customer.cart.added',
        set: {
          'data.customer_id': '{{ cust }}',
          'data.quantity': '{{count:catalog.product.created}}',
          'data.product_id': '{{batch}}_1',
        },
      },
      {
        event: 'catalog.product.created',
        set: { 'data.price': '{{count:catalog.product.created}}', 'data.attributes': { tags: ['{{cust}}'] } },
      },
    ],
  });

  it('unrolls repeats, numbers them, and counts the deliveries of the steps before', () => {
    const ids = { batch: 'prod_aaaaaaaaaaaa', cust: 'cust_bbbbbbbbbbbb' };
    const deliveries = expandScenario(scenario, ids);
    expect(deliveries.map((d) => [d.step, d.n, d.event])).toEqual([
      [1, 1, 'catalog.product.created'],
      [1, 2, 'catalog.product.created'],
      [1, 3, 'catalog.product.created'],
      [2, 1, 'customer.cart.added'],
      [3, 1, 'catalog.product.created'],
    ]);
    const values = deliveries.map((d) => Object.fromEntries(d.overrides.map((o) => [o.path.join('.'), o.value])));
    expect(values[1]).toEqual({ 'data.product_id': 'prod_aaaaaaaaaaaa_2', 'data.price': 2, 'data.name': 'no. 2 of 0' });
    expect(values[3]).toEqual({
      'data.customer_id': 'cust_bbbbbbbbbbbb',
      'data.quantity': 3,
      'data.product_id': 'prod_aaaaaaaaaaaa_1',
    });
    expect(values[4]).toEqual({ 'data.price': 3, 'data.attributes': { tags: ['cust_bbbbbbbbbbbb'] } });
  });

  it('draws ids from the seed: prefix, _ and 12 hex digits', () => {
    const a = generateIds({ product: 'prod', customer: 'cust' }, seededRandom(3));
    expect(a.product).toMatch(/^prod_[0-9a-f]{12}$/);
    expect(a.customer).toMatch(/^cust_[0-9a-f]{12}$/);
    expect(generateIds({ product: 'prod', customer: 'cust' }, seededRandom(3))).toEqual(a);
    expect(generateIds({ product: 'prod', customer: 'cust' }, seededRandom(4))).not.toEqual(a);
  });

  it('stamps the deliveries a second apart, the last one now', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const prepared = prepareScenario(scenario, 'mine.json', seededRandom(1), now);
    const stamps = prepared.map((p) => JSON.parse(p.body.toString()).timestamp);
    expect(stamps).toEqual([
      '2026-01-02T03:04:01Z',
      '2026-01-02T03:04:02Z',
      '2026-01-02T03:04:03Z',
      '2026-01-02T03:04:04Z',
      '2026-01-02T03:04:05Z',
    ]);
    expect(prepared.map((p) => p.step)).toEqual([1, 1, 1, 2, 3]);
  });
});

describe('the built-in scenarios', () => {
  it('all parse and prepare, with the names the contract lists', () => {
    expect(builtInScenarios().map((s) => s.scenario.name)).toEqual([...BUILT_IN_SCENARIOS]);
    expect(BUILT_IN_SCENARIOS).toEqual(['product-lifecycle', 'shopping-journey', 'bulk-import']);
    for (const { scenario } of builtInScenarios())
      expect(prepareScenario(scenario, scenario.name, seededRandom(1)).length).toBeGreaterThan(0);
  });

  it('the JSON Schema lists the same event types and step fields as the parser', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/scenario.schema.json', import.meta.url), 'utf8'));
    expect(schema.$defs.step.properties.event.enum).toEqual([...EVENT_TYPES]);
    expect(Object.keys(schema.$defs.step.properties)).toEqual(['event', 'set', 'repeat']);
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'name', 'description', 'variables', 'steps']);
  });
});
