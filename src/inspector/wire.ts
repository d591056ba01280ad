/**
 * What the inspector's server and its page say to each other, as JSON. Types only: the page
 * (src/inspector-page/) imports them too, so both sides change together.
 */
import type { SchemaIssue } from '../core/schema-issue.js';
import type { DeliverySummary, HeaderMap } from '../store/delivery-record.js';
import type { SecondOfActivity } from '../store/history-store.js';

/**
 * One row of the list: the history's summary as the store gives it. Columns the store gains later
 * (`heldMs`, `diagnosis`) come through as they are, and the page shows them where present.
 */
export type RowJson = DeliverySummary & { heldMs?: number | null; diagnosis?: unknown };

/** A page of rows, newest first. */
export interface RowsPage {
  rows: RowJson[];
  /**
   * Where the next older page starts (`before`), or null at the oldest row. A filtered page reads
   * a bounded stretch of the history per request, so it may hold fewer rows than asked and still
   * have an older page to read.
   */
  older: number | null;
  /** The newest row id of the history when the page was read: the live feed continues from it. */
  lastId: number;
}

export interface InspectorInfo {
  /** `listen`: a live receiver beside it; `history`: `webhooks-cli inspect` over the file alone. */
  mode: 'listen' | 'history';
  dbPath: string;
  /** The listener's webhook URL, in `listen` mode. */
  listenerUrl: string | null;
  /** Whether replays can be signed (a secret is known), and if not, how to give one. */
  canSign: boolean;
  signHint: string | null;
  /** How many secrets verdicts are explained with. */
  secrets: number;
}

export interface SignatureJson {
  state: 'valid' | 'invalid' | 'unchecked';
  /** What the verdict says: `signature does not match…`, or why it was not checked. */
  message: string;
  received: string | null;
  /** The signature each secret gives this body (only when it did not verify). */
  expected: string[];
  /** Which secret matched (1-based), and of how many. */
  secretNumber: number | null;
  secretCount: number;
  hints: string[];
}

export interface DetailJson {
  row: RowJson;
  requestHeaders: HeaderMap;
  /** The exact bytes, base64. */
  body: string;
  responseHeaders: HeaderMap | null;
  responseBody: string | null;
  signature: SignatureJson | null;
  /** A curl command that sends the request again as recorded, signature included. */
  curl: string;
  /** Where a replay goes unless told otherwise; null with the reason when it cannot tell. */
  replayTarget: string | null;
  replayTargetProblem: string | null;
  /** The headers an edited replay starts from: the recorded ones the sender chose (no connection, signature or delivery id). */
  editableHeaders: Record<string, string>;
}

/** A batch of the live feed (`rows` event): the newest matching rows since the last, at most a bounded number. */
export interface LiveBatch {
  rows: RowJson[];
  /** Matching rows that arrived in this batch but were left out to keep the page responsive. */
  skipped: number;
  lastId: number;
}

/** The chart's data (`activity` event): seconds of traffic, merged by second on the page. */
export interface ActivityBatch {
  seconds: SecondOfActivity[];
  /** True for the first batch of a connection: the recent past, replacing what the page had. */
  reset: boolean;
}

export interface ReplayRequest {
  /** Send here instead of where the original went. */
  to?: string;
  /** Edited body text (UTF-8), sent as its bytes; absent: the recorded bytes. */
  body?: string;
  /** Edited headers (name → value); the signature and delivery id are made afresh whatever they say. */
  headers?: Record<string, string>;
}

export interface ReplayAnswer {
  ok: boolean;
  /** One line, as the TUI shows it. */
  line: string;
  deliveryId: string | null;
  status: number | null;
  error: string | null;
}

export interface ExportRequest {
  ids: number[];
  /** A folder, relative to where the inspector runs. */
  dir: string;
}

export interface ExportAnswer {
  fixtures: number;
  dir: string;
}

export interface ErrorJson {
  error: { message: string; hint?: string | null };
}

export type { SchemaIssue, SecondOfActivity };
