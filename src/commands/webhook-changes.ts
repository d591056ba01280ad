/**
 * Turns the flags of `register` and `update` into the API's request bodies. Pure: checks event
 * names (with "did you mean") and URLs up front, so a typo is a usage error before any request.
 */

import type { UpdateBody } from '../api/platform-client.js';
import type { UpdateOptions } from '../cli/define-api.js';
import { EVENT_TYPES } from '../core/events.js';
import { requireHttpUrl, UsageError } from '../errors.js';
import { requireEventType } from './event-arguments.js';

/** `--events a,b` (repeatable) or `all` → checked, de-duplicated event types. */
export function parseEventList(values: readonly string[] | undefined, flag = '--events'): string[] {
  const names = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new UsageError(
      `${flag} needs at least one event type`,
      `e.g. ${flag} catalog.product.created,customer.purchase.completed, or ${flag} all`,
    );
  if (names.includes('all')) return [...EVENT_TYPES];
  names.forEach(requireEventType);
  return [...new Set(names)];
}

/** An http(s) URL for a webhook endpoint, or a usage error naming `flag`. */
export function requireEndpointUrl(value: string, flag = '--url'): string {
  requireHttpUrl(value, flag, 'https://example.com/webhook');
  return value;
}

/** The flags of `update` that say what to change. */
export type UpdateFlags = Omit<UpdateOptions, 'timeout'>;

/** Whether the flags change the event list relative to the current one (needs a read first). */
export function needsCurrentEvents(flags: UpdateFlags): boolean {
  return Boolean(flags.addEvent?.length || flags.removeEvent?.length);
}

/**
 * Checks the flags without the network: contradictions, event names, the URL, and that
 * something is to change. `buildUpdateBody` calls it; `update` calls it first so a typo fails
 * (exit 2) before the webhook is read.
 */
export function checkUpdateFlags(flags: UpdateFlags): void {
  if (flags.active && flags.inactive)
    throw new UsageError('--active and --inactive contradict each other', 'pass one of them');
  if (flags.events && needsCurrentEvents(flags))
    throw new UsageError(
      '--events replaces the list; it cannot be combined with --add-event or --remove-event',
      'pass either --events or --add-event/--remove-event',
    );
  if (flags.url !== undefined) requireEndpointUrl(flags.url);
  if (flags.events !== undefined) parseEventList(flags.events);
  if (flags.addEvent?.length) parseEventList(flags.addEvent, '--add-event');
  if (flags.removeEvent?.length) parseEventList(flags.removeEvent, '--remove-event');
  if (flags.secret === '') throw new UsageError('--secret cannot be empty', 'pass the new signing secret');
  const changes = [
    flags.url,
    flags.events,
    flags.secret,
    flags.active || undefined,
    flags.inactive || undefined,
    flags.debugMode,
  ].some((v) => v !== undefined);
  if (!changes && !needsCurrentEvents(flags)) {
    throw new UsageError(
      'nothing to update',
      'pass at least one of --url, --events, --add-event, --remove-event, --secret, --active/--inactive, --debug-mode/--no-debug-mode',
    );
  }
}

/**
 * The PATCH body: only the fields given. `currentEvents` is the webhook's list, read first when
 * `--add-event` / `--remove-event` are used.
 */
export function buildUpdateBody(flags: UpdateFlags, currentEvents: readonly string[] = []): UpdateBody {
  checkUpdateFlags(flags);
  const body: UpdateBody = {};
  if (flags.url !== undefined) body.url = flags.url;
  if (flags.events !== undefined) body.events = parseEventList(flags.events);
  if (needsCurrentEvents(flags)) {
    const add = flags.addEvent?.length ? parseEventList(flags.addEvent, '--add-event') : [];
    const remove = flags.removeEvent?.length ? parseEventList(flags.removeEvent, '--remove-event') : [];
    const events = [...new Set([...currentEvents, ...add])].filter((e) => !remove.includes(e));
    if (events.length === 0)
      throw new UsageError(
        'that would leave the webhook with no events',
        'keep at least one, or delete the webhook (webhooks-cli delete <id>)',
      );
    body.events = events;
  }
  if (flags.secret !== undefined) body.secret = flags.secret;
  if (flags.active) body.active = true;
  if (flags.inactive) body.active = false;
  if (flags.debugMode !== undefined) body.debug_mode = flags.debugMode;
  return body;
}

/** `--remove-event` types the webhook is not subscribed to (removing them changes nothing). */
export function removalsNotSubscribed(flags: UpdateFlags, currentEvents: readonly string[]): string[] {
  if (!flags.removeEvent?.length) return [];
  return parseEventList(flags.removeEvent, '--remove-event').filter((e) => !currentEvents.includes(e));
}
