/** One request in the history, sent or received. Shared by the store, the spool and the UI. */
import type { SchemaIssue } from '../core/schema-issue.js';

export type Direction = 'out' | 'in';

/** Which part of the tool produced the record. */
export type RecordSource = 'trigger' | 'replay' | 'listen' | 'relay' | 'smoke' | 'emulator' | 'doctor';

/** Headers as node:http gives them: lower-case names, a repeated header as an array. */
export type HeaderMap = Record<string, string | string[] | undefined>;

export interface DeliveryRecord {
  /** Row id, assigned by the store. */
  id?: number;
  direction: Direction;
  source: RecordSource;
  /** Milliseconds since the epoch. */
  createdAt: number;
  event: string | null;
  deliveryId: string | null;
  method: string;
  /** Target URL for sent requests; the request path for received ones. */
  url: string;
  remoteAddress: string | null;
  requestHeaders: HeaderMap;
  /** The exact bytes, never re-serialised. */
  requestBody: Buffer;
  status: number | null;
  responseHeaders: HeaderMap | null;
  /** Cut at 64 KiB. */
  responseBody: Buffer | null;
  durationMs: number | null;
  error: string | null;
  /** null when the signature was not checked (sent requests, or `--no-verify`). */
  signatureValid: boolean | null;
  signatureError: string | null;
  duplicate: boolean;
  /** The delivery id this one re-sends, for replays (edited or not). */
  replayOf: string | null;
  /** Whether the delivery met its event's schema and the envelope rules; null (or absent) when not checked. */
  schemaValid?: boolean | null;
  /** What broke them, when `schemaValid` is false. */
  schemaErrors?: SchemaIssue[] | null;
  /** The route pattern (`catalog.*`) that forwarded a received request; null when none did. */
  route?: string | null;
  /** Whether `listen` forwarded it: false when it routes but no route matched; null when it does not forward. */
  forwarded?: boolean | null;
  /**
   * The doctor's verdict (`cause: summary — fix: …`) on the app behind the route, when the app
   * rejected this delivery although listen had verified its signature; null otherwise.
   */
  diagnosis?: string | null;
  /**
   * For a received request: the webhook URL of the listener that received it (the address it was
   * serving, never one the request named), where a replay without `--to` goes. Null for sent
   * requests and for requests recorded before it was kept.
   */
  listenerUrl?: string | null;
  /** How long a relay held it (no listener was connected) before handing it over; null when it came live. */
  heldMs?: number | null;
  /**
   * `listen --app-down hold`: true while listen keeps it for an app that was down (the sender got
   * 202), false once it was passed on; null when it was never held for the app.
   */
  appHeld?: boolean | null;
}

/** What the history list shows: a record without its bodies and headers. */
export type DeliverySummary = Omit<
  DeliveryRecord,
  'requestHeaders' | 'requestBody' | 'responseHeaders' | 'responseBody'
> & { id: number; bodySize: number };

/** How messages name a delivery: its delivery id, else its history row, else plainly. */
export function deliveryLabel(record: Pick<DeliveryRecord, 'deliveryId' | 'id'>): string {
  return record.deliveryId ?? (record.id === undefined ? 'request' : `#${record.id}`);
}
