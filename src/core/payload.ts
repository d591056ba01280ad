/**
 * The webhook envelope `{"event", "timestamp", "data"}` and `--set path=value` overrides.
 * The envelope is serialised exactly once: the bytes returned here are the bytes signed and sent.
 */
import { closestMatches, isEventType } from './events.js';

export interface Envelope {
  event: string;
  timestamp: string;
  data: Record<string, unknown>;
  [extra: string]: unknown;
}

/** ISO-8601 UTC ending in Z, whole seconds, as in the platform document's examples. */
export function webhookTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Compact JSON; `pretty` indents with 2 spaces, as the platform document's examples are written. */
export function serialiseEnvelope(envelope: Envelope, { pretty = false } = {}): Buffer {
  return Buffer.from(pretty ? JSON.stringify(envelope, null, 2) : JSON.stringify(envelope), 'utf8');
}

/** A problem with an override, phrased for the person who typed it. */
export class OverrideError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface Override {
  path: string[];
  value: unknown;
  text: string;
}

/**
 * Parses `data.price=10`: the value is JSON when it parses as JSON (numbers, booleans, null,
 * quoted strings, arrays, objects), otherwise the literal text.
 */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new OverrideError(`--set "${text}" is not of the form path=value`, 'e.g. --set data.price=10');
  const rawPath = text.slice(0, eq).trim();
  const rawValue = text.slice(eq + 1);
  const path = rawPath.split('.');
  if (path.some((p) => p === ''))
    throw new OverrideError(`--set path "${rawPath}" has an empty segment`, 'e.g. --set data.attributes.color=red');
  let value: unknown = rawValue;
  try {
    value = JSON.parse(rawValue);
  } catch {
    // Text that starts like JSON and is not (`{bad`) is a mistake, not a string to send.
    if (/^\s*[[{"]/.test(rawValue)) {
      throw new OverrideError(
        `--set ${text}: ${rawValue} looks like JSON but does not parse`,
        `fix the JSON, or to send it as a string quote it as JSON: --set '${rawPath}=${JSON.stringify(rawValue)}'`,
      );
    }
    // Not JSON: keep the text as a string, the common case (`--set data.name=Linen Shirt`).
  }
  return { path, value, text };
}

/** Whether `--set` may add the field at `path`, absent from the payload (the schema's say). */
export type MayAddField = (path: readonly string[]) => boolean;

/**
 * Applies overrides in order to a copy of `envelope`. A field the payload lacks is added only
 * where `mayAdd` allows it (a field its schema declares), so a typo is caught rather than
 * silently adding a field.
 */
export function applyOverrides<T>(envelope: T, overrides: readonly Override[], mayAdd: MayAddField = () => false): T {
  const copy = structuredClone(envelope);
  for (const { path, value, text } of overrides) {
    let node: unknown = copy;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      const here = path.slice(0, i + 1).join('.');
      if (node === null || typeof node !== 'object') {
        throw new OverrideError(
          `--set ${text}: ${path.slice(0, i).join('.')} is not an object`,
          'set a field inside an object, or replace the whole value with JSON',
        );
      }
      const container = node as Record<string, unknown>;
      if (!Object.hasOwn(container, key) && mayAdd(path.slice(0, i + 1))) {
        // A field the schema declares but the payload lacks: created, with any object on the way.
        container[key] = i === path.length - 1 ? value : {};
        node = container[key];
        continue;
      }
      if (!Object.hasOwn(container, key)) {
        const siblings = Object.keys(container).map((k) => [...path.slice(0, i), k].join('.'));
        const near = closestMatches(here, siblings, 1);
        throw new OverrideError(
          `--set ${text}: the payload has no field "${here}"`,
          near.length
            ? `did you mean ${near[0]}? To send other fields, use --data FILE`
            : `fields here: ${siblings.slice(0, 8).join(', ')}; to send other fields, use --data FILE`,
        );
      }
      if (i === path.length - 1) container[key] = value;
      else node = container[key];
    }
  }
  return copy;
}

const TIMESTAMP_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * What makes `envelope` unfit to send as a delivery of `type`, in words for the user, or
 * undefined. Receivers rely on these three fields; an override or a `--data` file must not
 * quietly break them.
 */
export function envelopeProblem(envelope: Envelope, type: string): { message: string; hint: string } | undefined {
  if (envelope.event !== type) {
    return {
      message: `the payload's "event" is ${JSON.stringify(envelope.event)}, but the delivery is a ${type}`,
      hint: `the X-Webhook-Event header and the body must agree: ${typeof envelope.event === 'string' && isEventType(envelope.event) ? `trigger ${envelope.event} instead` : 'trigger the type you mean'}, or leave "event" alone`,
    };
  }
  if (typeof envelope.timestamp !== 'string' || !TIMESTAMP_FORMAT.test(envelope.timestamp)) {
    return {
      message: `the payload's "timestamp" ${JSON.stringify(envelope.timestamp)} is not ISO-8601 UTC`,
      hint: 'use the form 2023-12-01T10:30:00Z',
    };
  }
  if (typeof envelope.data !== 'object' || envelope.data === null || Array.isArray(envelope.data)) {
    return {
      message: `the payload's "data" must be a JSON object, not ${Array.isArray(envelope.data) ? 'an array' : envelope.data === null ? 'null' : typeof envelope.data}`,
      hint: 'give --data an object such as {"customer_id": "cust_1"}',
    };
  }
  return undefined;
}
