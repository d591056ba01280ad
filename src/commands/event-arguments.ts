import { EVENT_TYPES, isEventType, suggestEventTypes } from '../core/events.js';
import { UsageError } from '../errors.js';

/** Throws a usage error with a "did you mean" for an unknown event type. */
export function requireEventType(type: string): void {
  if (isEventType(type)) return;
  const near = suggestEventTypes(type);
  throw new UsageError(
    `unknown event type "${type}"`,
    near.length ? `did you mean ${near.join(' or ')}? (webhooks-cli events list shows all ${EVENT_TYPES.length})` : `webhooks-cli events list shows all ${EVENT_TYPES.length}`,
  );
}
