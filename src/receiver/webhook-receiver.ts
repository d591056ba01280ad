/**
 * What `listen` does with one request, whatever carried it (node:http or the tunnel): check the
 * path, method and size, verify the signature over the exact bytes, flag a repeated delivery id,
 * answer (itself, or with the app's answer when forwarding), and record every request and answer.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { isSuccessStatus } from '../core/http-status.js';
import { issueLine, type SchemaVerdict } from '../core/schema-issue.js';
import { verify } from '../core/signature.js';
import type { DeliveryRecord, HeaderMap } from '../store/delivery-record.js';
import type { Router } from './forwarder.js';
import type { HistoryRecorder } from './history-recorder.js';
import type { HeldHandler, RawRequest, RawResponse, RequestHandler } from './raw-exchange.js';
import type { RouteDoctor } from './route-doctor.js';

export interface ReceiverSettings {
  /** Only this path is a webhook endpoint; others get 404. */
  path: string;
  secrets: readonly string[];
  /** false (`--no-verify`): record signatures and JSON errors, but reject nothing for them. */
  verify: boolean;
  maxBodyBytes: number;
  /** The answer to a valid request no route forwards (`--respond-status`). */
  respondStatus: number;
  /** Wait this long before answering a valid request (`--respond-delay`), to play a slow app. */
  respondDelayMs: number;
  /** The route table (`--forward-to`, `--routes`); without one listen answers every request itself. */
  router?: Router;
  /** Judges each delivery against the envelope rules and its schema (`--validate`); the verdict is recorded. */
  judge?: (headers: RawRequest['headers'], body: Buffer) => SchemaVerdict;
  /** With `judge`: a delivery that breaks its schema is answered 422 instead (`--strict`). */
  strict?: boolean;
  /** Finds out why a route's app rejects deliveries listen verified. */
  routeDoctor?: RouteDoctor;
}

/** What a 503 asks of a sender while nothing can be recorded: the platform retries after it. */
const RETRY_AFTER_SECONDS = 60;
/** How often a held delivery waiting for the history to take writes again looks. */
const HELD_WAIT_MS = 250;

/** Responses are recorded up to this size, like everything else in the history. */
const MAX_RECORDED_RESPONSE_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const JSON_CONTENT: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

export class WebhookReceiver {
  readonly #settings: ReceiverSettings;
  readonly #recorder: HistoryRecorder;
  readonly #onRecord: (record: DeliveryRecord) => void;
  #inFlight = 0;
  #listenerUrl: string | null = null;

  constructor(settings: ReceiverSettings, recorder: HistoryRecorder, onRecord: (record: DeliveryRecord) => void) {
    this.#settings = settings;
    this.#recorder = recorder;
    this.#onRecord = onRecord;
  }

  /**
   * The webhook URL this receiver serves (known once the port is bound), recorded with every
   * request: a replay goes there, never to an address a request names.
   */
  serving(url: string): void {
    this.#listenerUrl = url;
  }

  /** The transport-independent entry point, as a promise; never rejects. */
  readonly handle: RequestHandler = (request) => {
    try {
      return Promise.resolve(this.respond(request));
    } catch (err) {
      return Promise.reject(err);
    }
  };

  /**
   * The same, answering at once when nothing needs waiting for (most requests: no
   * `--respond-delay`, no forwarding), so a transport can write the answer without a promise.
   */
  respond(request: RawRequest): RawResponse | Promise<RawResponse> {
    // A transport still delivering after the listener closed (a tunnel shutting down): the sender
    // should retry later, and nothing unrecorded is answered with a 2xx.
    if (this.#recorder.closed) {
      const response = jsonError(503, 'shutting_down', 'the listener is shutting down; retry later');
      this.#store(request, Date.now(), performance.now(), response, {
        error: 'arrived after the listener began shutting down',
      });
      return response;
    }
    // Nothing can be written anywhere (a full disk): accept nothing that could not be kept. The
    // platform retries a 503 later; the sender is not told where the listener's files are.
    const cannotKeep = this.#recorder.cannotKeep;
    if (cannotKeep) {
      const response = jsonError(503, 'cannot_record', 'the receiver cannot record deliveries right now; retry later', {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
      this.#store(request, Date.now(), performance.now(), response, { error: `refused: ${cannotKeep}` });
      return response;
    }
    this.#inFlight++;
    let result: RawResponse | Promise<RawResponse>;
    try {
      result = this.#handle(request);
    } catch (err) {
      this.#inFlight--;
      throw err;
    }
    if (!(result instanceof Promise)) {
      this.#inFlight--;
      return result;
    }
    return result.finally(() => this.#inFlight--);
  }

  /**
   * A delivery a relay held: handled like a live one (verified, recorded with `held_ms`,
   * forwarded), unless its delivery id was accepted before — a copy the relay sent again because
   * the acknowledgement did not reach it — which is only acknowledged, so the history has it once.
   */
  readonly receiveHeld: HeldHandler = async (request) => {
    // Nothing can be written anywhere (a full disk): the backlog waits, in order, rather than be
    // answered 503 and acknowledged; the relay keeps what is not acknowledged.
    while (this.#recorder.cannotKeep && !this.#recorder.closed) await sleep(HELD_WAIT_MS);
    // Shutting down: left unacknowledged, so the relay keeps it for the next connection.
    if (this.#recorder.closed) throw new Error('the listener is shutting down');
    const deliveryId = headerValue(request.headers, 'x-webhook-delivery');
    // A copy: acknowledged once the first (perhaps still queued) is written.
    if (deliveryId && this.#recorder.wasAccepted(deliveryId)) return { recorded: this.#recorder.whenWritten() };
    await this.respond(request);
    return { recorded: this.#recorder.whenWritten() };
  };

  /** Resolves when no request is being handled, or at `deadline` (ms since the epoch). */
  async idle(deadline: number): Promise<void> {
    while (this.#inFlight > 0 && Date.now() < deadline) await sleep(10);
  }

  #handle(request: RawRequest): RawResponse | Promise<RawResponse> {
    const started = performance.now();
    // A held delivery is recorded at the time it reached the relay, with how long it was held.
    const createdAt = request.held?.receivedAt ?? Date.now();
    const answer: Answer = (response, details, recorded) => {
      this.#store(request, createdAt, started, response, details, recorded);
      return response;
    };
    const { path, secrets, maxBodyBytes } = this.#settings;
    const query = request.path.indexOf('?');
    const pathname = query === -1 ? request.path : request.path.slice(0, query);
    if (pathname !== path)
      return answer(jsonError(404, 'not_found', `no webhook endpoint at ${pathname}; send to ${path}`), {
        error: `wrong path (expected ${path})`,
      });
    if (request.method !== 'POST') {
      return answer(jsonError(405, 'method_not_allowed', 'webhooks are POST requests', { allow: 'POST' }), {
        error: `method ${request.method} is not POST`,
      });
    }
    if (request.body.length > maxBodyBytes) return this.oversized(request, createdAt, request.body.length);

    // Verify whenever there is a secret, so `--no-verify` still shows ✓/✗ without rejecting.
    const signature =
      secrets.length > 0 ? verify(request.body, request.headers['x-webhook-signature'], secrets) : undefined;
    const parsed = parseJsonBody(request.body);
    // One object, filled in as the checks go, becomes the record's details.
    const details: Partial<DeliveryRecord> = {
      event: headerValue(request.headers, 'x-webhook-event') ?? parsed.event ?? null,
    };
    if (signature) {
      details.signatureValid = signature.valid;
      details.signatureError = signature.valid ? null : signature.message;
    }
    if (this.#settings.verify && signature && !signature.valid) {
      details.error = signature.message;
      return answer(jsonError(401, 'invalid_signature', signature.message), details);
    }
    if (this.#settings.verify && parsed.error) {
      details.error = parsed.error;
      return answer(jsonError(400, 'invalid_body', parsed.error), details);
    }

    const verdict = this.#settings.judge?.(request.headers, request.body);
    if (verdict) {
      details.schemaValid = verdict.valid;
      details.schemaErrors = verdict.valid ? null : verdict.errors;
    }
    if (verdict && !verdict.valid && this.#settings.strict) {
      const message = `the delivery breaks its schema: ${verdict.errors.map(issueLine).join('; ')}`;
      details.error = message;
      return answer(
        {
          ...jsonError(422, 'schema_invalid', message),
          body: Buffer.from(JSON.stringify({ error: { code: 'schema_invalid', message, errors: verdict.errors } })),
        },
        details,
      );
    }

    const deliveryId = headerValue(request.headers, 'x-webhook-delivery');
    const duplicate = deliveryId ? this.#recorder.wasAccepted(deliveryId) : false;
    details.duplicate = duplicate;
    details.error = parsed.error;
    if (this.#settings.respondDelayMs > 0 || this.#settings.router)
      return this.#delayOrForward(
        request,
        deliveryId,
        details,
        answer,
        signature?.valid ? secrets[signature.secretIndex] : undefined,
      );
    return answer(this.#received(deliveryId, duplicate), details);
  }

  /** The part of a valid request's handling that waits: `--respond-delay`, then the route's app (or listen's own answer). */
  async #delayOrForward(
    request: RawRequest,
    deliveryId: string | undefined,
    details: Partial<DeliveryRecord>,
    answer: Answer,
    verifiedWith: string | undefined,
  ): Promise<RawResponse> {
    if (this.#settings.respondDelayMs > 0) await sleep(this.#settings.respondDelayMs);
    const forwarding = this.#settings.router?.forward(request, details.event ?? null);
    if (forwarding !== undefined) {
      const forwarded = await forwarding;
      if (forwarded.held) {
        // --app-down hold: the app is down (or deliveries wait for it); the sender need not retry.
        const response = this.#heldForApp(deliveryId);
        const record = this.#store(request, request.held?.receivedAt ?? Date.now(), performance.now(), response, {
          ...details,
          route: forwarded.route.pattern,
          forwarded: false,
          appHeld: true,
        });
        void forwarded.held.then((result) => this.#recorder.passedOn(record, result));
        return response;
      }
      const { response, route, error } = forwarded;
      const forwardedDetails: Partial<DeliveryRecord> = {
        ...details,
        route: route.pattern,
        forwarded: true,
        error: error ?? details.error ?? null,
      };
      // The app rejected a signature listen verified: its own check is wrong, and the doctor finds how.
      const doctor = this.#settings.routeDoctor;
      if (!doctor || verifiedWith === undefined || error || (response.status !== 401 && response.status !== 403))
        return answer(response, forwardedDetails);
      const verdict = doctor.verdictFor(route);
      forwardedDetails.diagnosis = verdict ?? null;
      return answer(response, forwardedDetails, verdict ? undefined : (r) => doctor.rejected(r, route, verifiedWith));
    }
    if (this.#settings.router) details.forwarded = false;
    return answer(this.#received(deliveryId, details.duplicate ?? false), details);
  }

  /** listen's answer to a delivery it keeps for an app that is down (`--app-down hold`). */
  #heldForApp(deliveryId: string | undefined): RawResponse {
    const body = JSON.stringify({
      received: true,
      delivery_id: deliveryId ?? null,
      held: true,
      message: 'the app is down; listen keeps this delivery and passes it on, in order, once the app answers',
    });
    return { status: 202, headers: JSON_CONTENT, body: Buffer.from(body) };
  }

  /** listen's own answer to a valid delivery (`--respond-status`, 200 by default). */
  #received(deliveryId: string | undefined, duplicate: boolean): RawResponse {
    // Written out rather than JSON.stringify of an object: this answer goes out thousands of times a second.
    const body = `{"received":true,"delivery_id":${deliveryId === undefined ? 'null' : JSON.stringify(deliveryId)},"duplicate":${duplicate}}`;
    return { status: this.#settings.respondStatus, headers: JSON_CONTENT, body: Buffer.from(body) };
  }

  /**
   * Answers and records a request whose body passed the size limit. The HTTP transport calls it
   * while still reading, having stopped keeping the bytes, so only the size is known.
   */
  oversized(request: Omit<RawRequest, 'body'>, createdAt: number, size: number | null): RawResponse {
    const limit = this.#settings.maxBodyBytes;
    const message = `body of ${size === null ? `more than ${limit}` : size} bytes exceeds the limit of ${limit} bytes (--max-body)`;
    const response = jsonError(413, 'payload_too_large', message);
    this.#store({ ...request, body: Buffer.alloc(0) }, createdAt, performance.now(), response, { error: message });
    return response;
  }

  /** Records an exchange the transport answered before a request existed (431 header overflow, 408 timeout). */
  recordTransportFailure(remoteAddress: string | null, status: number, message: string): void {
    const request: RawRequest = {
      method: '?',
      path: '?',
      headers: {},
      body: Buffer.alloc(0),
      remoteAddress,
      via: 'local',
    };
    this.#store(
      request,
      Date.now(),
      performance.now(),
      { status, headers: {}, body: Buffer.from(message) },
      { error: message },
    );
  }

  #store(
    request: RawRequest,
    createdAt: number,
    started: number,
    response: RawResponse,
    details: Partial<DeliveryRecord>,
    recorded?: (record: DeliveryRecord) => void,
  ): DeliveryRecord {
    const record: DeliveryRecord = {
      direction: 'in',
      source: request.via === 'relay' ? 'relay' : 'listen',
      createdAt,
      event: headerValue(request.headers, 'x-webhook-event') ?? null,
      deliveryId: headerValue(request.headers, 'x-webhook-delivery') ?? null,
      method: request.method,
      url: request.path,
      remoteAddress: request.remoteAddress,
      requestHeaders: request.headers as HeaderMap,
      requestBody: request.body,
      status: response.status,
      responseHeaders: response.headers,
      responseBody: response.body.subarray(0, MAX_RECORDED_RESPONSE_BYTES),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      error: null,
      signatureValid: null,
      signatureError: null,
      duplicate: false,
      replayOf: null,
      listenerUrl: this.#listenerUrl,
      ...(request.held ? { heldMs: request.held.heldMs } : {}),
      ...details,
    };
    this.#recorder.record(record);
    if (record.deliveryId && isSuccessStatus(response.status)) this.#recorder.markAccepted(record.deliveryId);
    recorded?.(record);
    this.#onRecord(record);
    return record;
  }
}

/** Answers and records a request; `recorded` is given the record once it is queued for the history. */
type Answer = (
  response: RawResponse,
  details: Partial<DeliveryRecord>,
  recorded?: (record: DeliveryRecord) => void,
) => RawResponse;

function headerValue(headers: RawRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === '' ? undefined : first;
}

/** Whether the body is a UTF-8 JSON document, and its `event` field if it has one. */
function parseJsonBody(body: Buffer): { error: string | null; event?: string } {
  if (body.length === 0) return { error: 'the body is empty; a webhook carries a JSON envelope' };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { error: 'the body is not valid UTF-8 (binary data?); a webhook carries a JSON envelope' };
  }
  try {
    const value = JSON.parse(text) as unknown;
    const event =
      typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string'
        ? (value as { event: string }).event
        : undefined;
    return { error: null, event };
  } catch (err) {
    return { error: `the body is not valid JSON (${(err as Error).message})` };
  }
}

function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify({ error: { code, message } })),
  };
}
