/**
 * What the emulator's endpoints do, without HTTP: validate, change the store, hand deliveries
 * to the engine, and shape the JSON answers. Each method returns `{ status, body }` or throws
 * an `ApiError`.
 *
 * Secrets: like the platform APIs it imitates, the whole secret is in the answer to the
 * request that created the webhook (so a generated one can be read once); every later answer
 * carries only `secret_hint`, a masked form.
 */
import { randomBytes } from 'node:crypto';
import { newDeliveryId } from '../core/delivery-id.js';
import { DELIVERY_STATUSES, isDeliveryStatusFilter } from '../core/delivery-status.js';
import { type Envelope, serialiseEnvelope, webhookTimestamp } from '../core/payload.js';
import { maskSecret } from '../core/redact.js';
import { newWebhookSecret } from '../core/signature.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import type { HeaderMap } from '../store/delivery-record.js';
import { ApiError, invalid } from './api-error.js';
import type { AttemptReport, DeliveryEngine } from './delivery-engine.js';
import type { AttemptRow, EmulatorStore, NewDelivery, Webhook } from './emulator-store.js';
import { listPage, readPageQuery } from './list-page.js';
import { parseCreateWebhook, parseEventRequest, parseUpdateWebhook } from './webhook-validation.js';

export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class WebhookService {
  readonly #store: EmulatorStore;
  readonly #engine: DeliveryEngine;
  /** How long `test` waits for its attempt before answering 202 with it still pending. */
  readonly #testWaitMs: number;

  constructor(store: EmulatorStore, engine: DeliveryEngine, { testWaitMs = 12_000 }: { testWaitMs?: number } = {}) {
    this.#store = store;
    this.#engine = engine;
    this.#testWaitMs = testWaitMs;
  }

  create(body: unknown): ApiAnswer {
    const input = parseCreateWebhook(body);
    const now = Date.now();
    const webhook = this.#store.createWebhook({
      id: `wh_${randomBytes(8).toString('hex')}`,
      url: input.url,
      events: input.events,
      secret: input.secret ?? newWebhookSecret(),
      active: input.active ?? true,
      debugMode: input.debugMode ?? false,
      createdAt: now,
      updatedAt: now,
      consecutiveFailures: 0,
      disabledReason: null,
      disabledAt: null,
    });
    return {
      status: 201,
      body: { ...webhookJson(webhook), secret: webhook.secret },
      headers: { etag: etagOf(webhook) },
    };
  }

  /** Webhooks oldest first, a page at a time (list-page.ts). */
  list(query: URLSearchParams = new URLSearchParams()): ApiAnswer {
    const page = listPage(
      this.#store.listWebhooks().map(webhookJson),
      readPageQuery(query, 100),
      '/api/v1/webhooks',
      query,
    );
    return { status: 200, ...page };
  }

  get(id: string): ApiAnswer {
    const webhook = this.#require(id);
    return { status: 200, body: webhookJson(webhook), headers: { etag: etagOf(webhook) } };
  }

  /**
   * `PATCH`: with `If-Match`, only if the webhook is still the version the client read (else 412),
   * so two read-modify-writes (`update --add-event`) cannot undo each other. The check and the
   * change happen with nothing in between (no await), so no other request can change it meanwhile.
   */
  update(id: string, body: unknown, ifMatch?: string | string[]): ApiAnswer {
    const current = this.#require(id);
    const input = parseUpdateWebhook(body);
    if (ifMatch !== undefined && !matchesETag(ifMatch, etagOf(current)))
      throw new ApiError(
        412,
        'precondition_failed',
        `webhook ${id} changed since it was read (If-Match ${[ifMatch].flat().join(', ')}, now ${etagOf(current)}); read it again and retry`,
      );
    const updated = this.#store.updateWebhook(id, input, Date.now());
    if (!updated) throw notFound(id);
    return { status: 200, body: webhookJson(updated), headers: { etag: etagOf(updated) } };
  }

  delete(id: string): ApiAnswer {
    if (!this.#store.deleteWebhook(id)) throw notFound(id);
    return { status: 204 };
  }

  /** Sends one event to this webhook through the engine and answers with the first attempt. */
  async test(id: string, body: unknown): Promise<ApiAnswer> {
    const webhook = this.#require(id);
    const { event } = parseEventRequest(body ?? {}, { allowData: false });
    if (!webhook.active) {
      throw new ApiError(
        409,
        'webhook_disabled',
        `webhook ${id} is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`,
      );
    }
    const delivery = newDelivery(webhook.id, event, envelopeBytes(event));
    const first = this.#engine.nextAttemptOf(delivery.id, this.#testWaitMs);
    await this.#engine.enqueue([delivery]);
    const report = await first;
    if (!report)
      return {
        status: 202,
        body: { delivery_id: delivery.id, webhook_id: id, event, status: 'pending', attempt: null },
      };
    return {
      status: 200,
      body: {
        delivery_id: delivery.id,
        webhook_id: id,
        event,
        status: report.state,
        attempt: attemptReportJson(report),
      },
    };
  }

  deliveries(id: string, query: URLSearchParams): ApiAnswer {
    this.#require(id);
    const status = query.get('status') ?? undefined;
    if (status !== undefined && !isDeliveryStatusFilter(status)) {
      throw invalid('status', `status must be one of ${DELIVERY_STATUSES.join(', ')} or an HTTP status code`);
    }
    const position = readPageQuery(query, 50);
    // One row past the page says whether there is another.
    const rows = this.#store
      .listAttempts(id, { status, limit: position.offset + position.limit + 1 })
      .map(attemptRowJson);
    return { status: 200, ...listPage(rows, position, `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries`, query) };
  }

  /** `POST /api/v1/events`: one delivery per active webhook subscribed to the event. */
  async emit(body: unknown): Promise<ApiAnswer> {
    const { event, data } = parseEventRequest(body, { allowData: true });
    return { status: 202, body: await this.emitEvent(event, data) };
  }

  /** Stores one delivery of `event` for each active subscriber; resolves once they are written. */
  async emitEvent(
    event: string,
    data?: Record<string, unknown>,
  ): Promise<{ event: string; deliveries: Array<{ id: string; webhook_id: string }> }> {
    // One envelope, serialised once: every subscriber gets (and is signed over) the same bytes.
    const bytes = envelopeBytes(event, data);
    const deliveries = this.#store.subscriberIds(event).map((id) => newDelivery(id, event, bytes));
    await this.#engine.enqueue(deliveries);
    return { event, deliveries: deliveries.map((d) => ({ id: d.id, webhook_id: d.webhookId })) };
  }

  #require(id: string): Webhook {
    const webhook = this.#store.getWebhook(id);
    if (!webhook) throw notFound(id);
    return webhook;
  }
}

/** A strong ETag of a webhook's settings: changes with each update (and when the engine disables it). */
export function etagOf(webhook: Pick<Webhook, 'version'>): string {
  return `"v${webhook.version}"`;
}

/** Whether an If-Match value (a list of ETags, or `*`) names `etag`, compared strongly (RFC 9110 §13.1.1). */
function matchesETag(ifMatch: string | string[], etag: string): boolean {
  const tags = [ifMatch]
    .flat()
    .flatMap((value) => value.split(','))
    .map((tag) => tag.trim());
  return tags.includes('*') || tags.includes(etag);
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'webhook_not_found', `no webhook with id "${id}"`);
}

function newDelivery(webhookId: string, event: string, body: Buffer): NewDelivery {
  return { id: newDeliveryId(), webhookId, event, body, createdAt: Date.now() };
}

function envelopeBytes(event: string, data?: Record<string, unknown>): Buffer {
  const envelope: Envelope = data
    ? { event, timestamp: webhookTimestamp(), data }
    : { ...loadSampleEnvelope(event), timestamp: webhookTimestamp() };
  return serialiseEnvelope(envelope);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A webhook as the API shows it (no secret). */
export function webhookJson(w: Webhook) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    active: w.active,
    debug_mode: w.debugMode,
    secret_hint: maskSecret(w.secret),
    consecutive_failures: w.consecutiveFailures,
    disabled_reason: w.disabledReason,
    disabled_at: iso(w.disabledAt),
    created_at: iso(w.createdAt),
    updated_at: iso(w.updatedAt),
  };
}

function attemptReportJson(r: AttemptReport) {
  return {
    attempt: r.attempt,
    status: r.succeeded ? 'succeeded' : 'failed',
    response_status: r.responseStatus,
    duration_ms: r.durationMs,
    error: r.error,
    next_attempt_at: iso(r.nextAttemptAt),
  };
}

function attemptRowJson(row: AttemptRow) {
  return {
    id: row.id,
    delivery_id: row.deliveryId,
    webhook_id: row.webhookId,
    event: row.event,
    attempt: row.attempt,
    status: row.status,
    timestamp: iso(row.at),
    response_status: row.responseStatus,
    duration_ms: row.durationMs,
    error: row.error,
    delivery_status: row.deliveryState,
    duplicate: row.duplicate,
    ...(row.request ? { request: exchangeJson(row.request) } : {}),
    ...(row.response ? { response: { status: row.responseStatus, ...exchangeJson(row.response) } } : {}),
  };
}

function exchangeJson(exchange: { headers: HeaderMap; body: Buffer }) {
  return { headers: exchange.headers, body: exchange.body.toString('utf8') };
}
