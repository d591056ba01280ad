/**
 * Event type patterns, the one rule for routes (`--forward-to catalog.*=URL`) and filters
 * (`event:catalog.*`): `*` stands for any run of characters, dots included.
 */

/** Whether `event` matches `pattern` (`catalog.*`, `customer.purchase.completed`, `*`). */
export function matchesPattern(pattern: string, event: string | null): boolean {
  if (pattern === '*') return true;
  if (event === null) return false;
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return regex.test(event);
}

/**
 * The filter word `event:VALUE`: a pattern with `*` as above; otherwise the type itself or, by
 * whole dotted parts, every type below it (`event:catalog`, `event:catalog.product`).
 */
export function matchesEventFilter(value: string, event: string | null): boolean {
  if (value.includes('*')) return matchesPattern(value, event);
  return event !== null && (event === value || event.startsWith(`${value}.`));
}

/** The same as an SQLite GLOB pattern (`[` and `?` taken literally): the pattern, or the types below the value. */
export function eventFilterGlob(value: string): string {
  const literal = value.replace(/[[?]/g, (c) => `[${c}]`);
  return value.includes('*') ? literal : `${literal}.*`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
