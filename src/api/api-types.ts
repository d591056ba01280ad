/**
 * The shapes the commands work with, read tolerantly from API answers: snake_case or
 * camelCase, `{data: …}` or `{webhook: …}` wrappers, bare arrays, comma-separated event lists.
 */

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  debugMode: boolean;
  /** The whole secret: only in the answer that created the webhook. */
  secret?: string;
  secretHint?: string;
  consecutiveFailures?: number;
  disabledReason?: string | null;
  createdAt?: string;
}

export interface Attempt {
  deliveryId: string;
  event: string;
  attempt?: number;
  status: string;
  timestamp?: string;
  responseStatus: number | null;
  durationMs: number | null;
  error: string | null;
  /** An injected duplicate (`serve --duplicates`): an earlier delivery's id, bytes and signature. */
  duplicate: boolean;
  request?: unknown;
  response?: unknown;
}

type Json = Record<string, unknown>;

const pick = (o: Json, ...keys: string[]): unknown => keys.map((k) => o[k]).find((v) => v !== undefined);
const asString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const asNumber = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;

/** The object of an answer: the answer itself, or its `data` / `webhook` / `delivery` member. */
export function unwrapObject(raw: unknown): Json {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const o = raw as Json;
  for (const key of ['data', 'webhook', 'delivery']) {
    const inner = o[key];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) return inner as Json;
  }
  return o;
}

/** The list of an answer: a bare array, or its `data` / `items` / `<name>` member. */
export function unwrapList(raw: unknown, name: string): Json[] {
  const list = Array.isArray(raw)
    ? raw
    : typeof raw === 'object' && raw !== null
      ? pick(raw as Json, 'data', 'items', name, 'results')
      : undefined;
  return Array.isArray(list) ? list.filter((x): x is Json => typeof x === 'object' && x !== null) : [];
}

export function normaliseWebhook(o: Json): WebhookView {
  const events = pick(o, 'events', 'event_types', 'eventTypes');
  const active = pick(o, 'active', 'enabled');
  const status = asString(o.status);
  return {
    id: asString(pick(o, 'id', 'webhook_id', 'webhookId')) ?? '?',
    url: asString(pick(o, 'url', 'endpoint', 'target_url')) ?? '',
    events: Array.isArray(events)
      ? events.map(String)
      : typeof events === 'string'
        ? events
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    active: typeof active === 'boolean' ? active : status ? status === 'active' || status === 'enabled' : true,
    debugMode: Boolean(pick(o, 'debug_mode', 'debugMode', 'debug')),
    secret: asString(o.secret),
    secretHint: asString(pick(o, 'secret_hint', 'secretHint')),
    consecutiveFailures: asNumber(pick(o, 'consecutive_failures', 'consecutiveFailures')) ?? undefined,
    disabledReason: asString(pick(o, 'disabled_reason', 'disabledReason')) ?? null,
    createdAt: asString(pick(o, 'created_at', 'createdAt')),
  };
}

export function normaliseAttempt(o: Json): Attempt {
  return {
    deliveryId: asString(pick(o, 'delivery_id', 'deliveryId', 'id')) ?? '?',
    event: asString(pick(o, 'event', 'event_type', 'eventType')) ?? '?',
    attempt: asNumber(pick(o, 'attempt', 'attempt_number')) ?? undefined,
    status: asString(pick(o, 'status', 'state')) ?? '?',
    timestamp: asString(pick(o, 'timestamp', 'created_at', 'attempted_at', 'createdAt')),
    responseStatus: asNumber(pick(o, 'response_status', 'responseStatus', 'status_code', 'statusCode')),
    durationMs: asNumber(pick(o, 'duration_ms', 'durationMs', 'duration')),
    error: asString(pick(o, 'error', 'error_message')) ?? null,
    duplicate: o.duplicate === true,
    request: o.request,
    response: o.response,
  };
}
