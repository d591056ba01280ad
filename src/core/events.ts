/**
 * The platform's 16 webhook event types, as listed in its webhook document.
 * Pure data: the sample payloads live in `fixtures/events/<type>.json`.
 */

export type EventCategory = 'catalog' | 'search' | 'customer' | 'analytics';

export interface EventDefinition {
  readonly type: string;
  readonly category: EventCategory;
  readonly description: string;
}

export const EVENT_CATALOGUE: readonly EventDefinition[] = [
  { type: 'catalog.product.created', category: 'catalog', description: 'New product added to catalog' },
  { type: 'catalog.product.updated', category: 'catalog', description: 'Product information modified' },
  { type: 'catalog.product.deleted', category: 'catalog', description: 'Product removed from catalog' },
  { type: 'catalog.product.enriched', category: 'catalog', description: 'AI enrichment completed for product' },
  { type: 'catalog.bulk.import.completed', category: 'catalog', description: 'Bulk catalog import finished' },
  { type: 'search.query.performed', category: 'search', description: 'Customer search executed' },
  { type: 'search.zero_results', category: 'search', description: 'Search returned no results' },
  { type: 'recommendation.shown', category: 'search', description: 'Product recommendations displayed' },
  { type: 'recommendation.clicked', category: 'search', description: 'Customer clicked recommended product' },
  { type: 'customer.product.viewed', category: 'customer', description: 'Product page viewed' },
  { type: 'customer.product.favorited', category: 'customer', description: 'Product added to wishlist' },
  { type: 'customer.cart.added', category: 'customer', description: 'Product added to shopping cart' },
  { type: 'customer.purchase.completed', category: 'customer', description: 'Order completed' },
  { type: 'analytics.report.generated', category: 'analytics', description: 'Scheduled report ready' },
  { type: 'analytics.trend.detected', category: 'analytics', description: 'New fashion trend identified' },
  { type: 'analytics.threshold.exceeded', category: 'analytics', description: 'Performance metric threshold reached' },
];

export const EVENT_TYPES: readonly string[] = EVENT_CATALOGUE.map((e) => e.type);

const byType = new Map(EVENT_CATALOGUE.map((e) => [e.type, e]));

export function findEvent(type: string): EventDefinition | undefined {
  return byType.get(type);
}

export function isEventType(type: string): boolean {
  return byType.has(type);
}

/** The closest known names to a mistyped one, best first (for "did you mean"). */
export function suggestEventTypes(input: string, max = 3): string[] {
  return closestMatches(input, EVENT_TYPES, max);
}

/**
 * Candidates within a small edit distance of `input`, or sharing its last segment.
 * Used for every "did you mean" in the tool (event types, payload paths, commands).
 */
export function closestMatches(input: string, candidates: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  const limit = Math.max(2, Math.floor(needle.length / 4));
  const scored = candidates.map((c) => ({ c, d: editDistance(needle, c.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.d));
  const close = scored.filter((s) => s.d <= limit && s.d === best);
  // Nothing close by spelling: fall back to names that contain what was typed (`purchase`).
  const pool = close.length ? close : scored.filter((s) => needle.length >= 3 && s.c.toLowerCase().includes(needle));
  return pool
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map(({ c }) => c);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
