/**
 * The states a platform delivery can be in, as `deliveries --status` and the emulator's API accept
 * them. CommonJS because the command table (src/cli/*.cts) checks the flag before loading anything.
 */
export const DELIVERY_STATUSES: readonly string[] = ['succeeded', 'failed', 'pending', 'skipped'];

/** A delivery status filter: one of the states, or an HTTP status code such as 500. */
export function isDeliveryStatusFilter(value: string): boolean {
  return DELIVERY_STATUSES.includes(value) || /^[1-5]\d\d$/.test(value);
}
