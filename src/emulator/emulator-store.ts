/**
 * The emulator's state: one SQLite file (WAL) holding webhooks, the deliveries owed to them and
 * every attempt. The only module that writes SQL against it. Pending deliveries live here, so a
 * restart — even after `kill -9` — resumes them with the same delivery id.
 */
import type Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import type { HeaderMap } from '../store/delivery-record.js';
import { runMigrations, schemaVersion } from '../store/schema-migrations.js';
import { guardDamage, openSqliteFile } from '../store/sqlite-file.js';
import { EMULATOR_MIGRATIONS } from './emulator-migrations.js';

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  secret: string;
  active: boolean;
  debugMode: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  consecutiveFailures: number;
  /** Why the engine disabled it; null while it has not. */
  disabledReason: string | null;
  disabledAt: number | null;
  /** Counts the changes to its settings (each update, the engine disabling it); its ETag. Starts at 1. */
  version: number;
}

/** A webhook as it is created: at version 1 unless told. */
export type NewWebhook = Omit<Webhook, 'version'> & { version?: number };

export type WebhookChanges = Partial<Pick<Webhook, 'url' | 'events' | 'secret' | 'active' | 'debugMode'>>;

export type DeliveryState = 'pending' | 'succeeded' | 'failed' | 'skipped';

export interface NewDelivery {
  id: string;
  webhookId: string;
  event: string;
  /** The exact envelope bytes; every attempt sends and signs these. */
  body: Buffer;
  createdAt: number;
  /** When its first attempt is due (default: `createdAt`); later with `serve --jitter`. */
  dueAt?: number;
  /** Send it a second time, same id and bytes, after its first attempt (`serve --duplicates`). */
  copyPlanned?: boolean;
}

/** A pending delivery whose time has come. */
export interface DueDelivery {
  id: string;
  seq: number;
  webhookId: string;
  event: string;
  body: Buffer;
  attemptsMade: number;
  /** A copy is still to be made after this attempt. */
  copyPlanned: boolean;
  /** It is an injected duplicate of an earlier delivery with the same id. */
  duplicate: boolean;
}

export interface AttemptRecord {
  deliveryId: string;
  /** The delivery's row (`DueDelivery.seq`). */
  deliverySeq: number;
  webhookId: string;
  /** 1 for the first attempt, up to 6. */
  attempt: number;
  startedAt: number;
  succeeded: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  /** Kept only in debug mode. */
  request?: { headers: HeaderMap; body: Buffer };
  response?: { headers: HeaderMap; body: Buffer };
}

/** What follows an attempt: the delivery's next state and when to try again, if at all. */
export interface AttemptOutcome {
  state: DeliveryState;
  nextAttemptAt: number | null;
  stateReason: string | null;
  /** For a retry: when its delay started (the end of the failed attempt) and the delay, unscaled. */
  retryFrom?: number | null;
  retryDelayMs?: number | null;
}

/** An attempt, what follows it, and the reason to give should it disable its webhook. */
export interface RecordedAttempt {
  attempt: AttemptRecord;
  outcome: AttemptOutcome;
  disabledReason: string;
  /** Store the planned duplicate of this delivery, due now, with the attempt (same transaction). */
  releaseCopy?: boolean;
}

/** A row of the deliveries listing: an attempt made, or the one still to come. */
export interface AttemptRow {
  id: number | null;
  deliveryId: string;
  webhookId: string;
  event: string;
  attempt: number;
  /** succeeded/failed for attempts made; pending/skipped for the one not (yet) made. */
  status: 'succeeded' | 'failed' | 'pending' | 'skipped';
  /** When it started, or when it is due (pending). */
  at: number;
  responseStatus: number | null;
  durationMs: number | null;
  error: string | null;
  deliveryState: DeliveryState;
  /** An attempt of an injected duplicate (same delivery id as an earlier delivery). */
  duplicate: boolean;
  request?: { headers: HeaderMap; body: Buffer };
  response?: { headers: HeaderMap; body: Buffer };
}

export interface AttemptFilter {
  /** succeeded | failed | pending | skipped, or an HTTP status code. */
  status?: string;
  limit?: number;
}

interface WebhookRow {
  id: string;
  url: string;
  events: string;
  secret: string;
  active: number;
  debug_mode: number;
  created_at: number;
  updated_at: number;
  consecutive_failures: number;
  disabled_reason: string | null;
  disabled_at: number | null;
  version: number;
}

const BUSY_TIMEOUT_MS = 15_000;

export class EmulatorStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #statements: ReturnType<typeof prepareStatements>;
  /**
   * Every webhook, kept in step with the table by each write in this module (the only writer),
   * so the engine's per-attempt lookups and each emit's subscriber list cost no query.
   */
  #webhooks: Map<string, Webhook> | undefined;
  /** Who receives each event; cleared whenever a webhook's url, events or state changes. */
  readonly #subscriberIds = new Map<string, readonly string[]>();

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.#db = db;
    this.#statements = prepareStatements(db);
  }

  /** Opens (creating and migrating as needed) the emulator database at `path`. */
  static open(path: string): EmulatorStore {
    const file = {
      what: 'emulator database',
      fix: 'pass serve --state with another path',
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      startsAfresh: 'the emulator starts with no webhooks',
    };
    const db = openSqliteFile(path, file);
    db.pragma('foreign_keys = ON');
    try {
      return guardDamage(path, file, () => {
        runMigrations(db, EMULATOR_MIGRATIONS, {
          what: 'emulator database',
          fix: 'pass serve --state with another path',
        });
        const store = new EmulatorStore(path, db);
        // The webhooks and what is still owed to them, read now: damage shows here, not mid-run.
        store.#cached();
        store.pendingCount();
        return store;
      });
    } catch (err) {
      db.close();
      if (err instanceof UserError) throw err;
      throw new UserError(`${path} is not a webhooks-cli emulator database (${(err as Error).message})`, {
        hint: 'pass serve --state with another path',
        cause: err,
      });
    }
  }

  get schemaVersion(): number {
    return schemaVersion(this.#db);
  }

  // --- webhooks -------------------------------------------------------------------------

  createWebhook(fresh: NewWebhook): Webhook {
    const webhook: Webhook = { ...fresh, version: fresh.version ?? 1 };
    this.#statements.insertWebhook.run(webhookParams(webhook));
    this.#cached().set(webhook.id, { ...webhook, events: [...webhook.events] });
    this.#subscriberIds.clear();
    return webhook;
  }

  /** A copy of the webhook, or undefined. */
  getWebhook(id: string): Webhook | undefined {
    const w = this.#cached().get(id);
    return w && { ...w, events: [...w.events] };
  }

  /** The webhook as it is now, not copied: for the engine's hot path, read-only. */
  currentWebhook(id: string): Readonly<Webhook> | undefined {
    return this.#cached().get(id);
  }

  /** Copies of every webhook, oldest first. */
  listWebhooks(): Webhook[] {
    return [...this.#cached().values()].map((w) => ({ ...w, events: [...w.events] }));
  }

  #cached(): Map<string, Webhook> {
    if (!this.#webhooks) {
      this.#webhooks = new Map(
        (this.#statements.listWebhooks.all() as WebhookRow[]).map((row) => [row.id, toWebhook(row)]),
      );
    }
    return this.#webhooks;
  }

  /**
   * Applies `changes`. Re-activating a webhook clears its disabled reason and failure count,
   * as re-enabling an endpoint does on real platforms.
   */
  updateWebhook(id: string, changes: WebhookChanges, now: number): Webhook | undefined {
    const current = this.getWebhook(id);
    if (!current) return undefined;
    const next: Webhook = { ...current, ...changes, updatedAt: now, version: current.version + 1 };
    if (changes.active === true && !current.active) {
      next.consecutiveFailures = 0;
      next.disabledReason = null;
      next.disabledAt = null;
    }
    this.#db.transaction(() => {
      this.#statements.updateWebhook.run(webhookParams(next));
      // A disabled webhook gets no attempts: what it was still owed is skipped now, not when due.
      if (changes.active === false && current.active)
        this.#statements.skipPendingOf.run({
          webhookId: id,
          reason: `webhook ${id} was disabled (active set to false)`,
          at: now,
        });
    })();
    this.#cached().set(id, next);
    this.#subscriberIds.clear();
    return { ...next, events: [...next.events] };
  }

  /** Deletes the webhook with its deliveries and attempts; false if there was none. */
  deleteWebhook(id: string): boolean {
    const deleted = this.#statements.deleteWebhook.run(id).changes > 0;
    this.#cached().delete(id);
    this.#subscriberIds.clear();
    return deleted;
  }

  /** Ids of the active webhooks subscribed to `event` (cached until a webhook changes). */
  subscriberIds(event: string): readonly string[] {
    let ids = this.#subscriberIds.get(event);
    if (!ids) {
      ids = [...this.#cached().values()].filter((w) => w.active && w.events.includes(event)).map((w) => w.id);
      this.#subscriberIds.set(event, ids);
    }
    return ids;
  }

  // --- deliveries -----------------------------------------------------------------------

  /** Stores new deliveries, due now, in one transaction. */
  enqueue(deliveries: readonly NewDelivery[]): void {
    if (deliveries.length === 0) return;
    this.#db.transaction(() => {
      for (const d of deliveries) {
        this.#statements.insertDelivery.run({
          id: d.id,
          webhookId: d.webhookId,
          event: d.event,
          body: d.body,
          createdAt: d.createdAt,
          dueAt: d.dueAt ?? d.createdAt,
          copyPlanned: d.copyPlanned ? 1 : 0,
        });
      }
    })();
  }

  /** Up to `limit` pending deliveries due at `now`, oldest due first. */
  dueDeliveries(now: number, limit: number): DueDelivery[] {
    const rows = this.#statements.dueDeliveries.all({ now, limit }) as Array<{
      id: string;
      seq: number;
      webhook_id: string;
      event: string;
      body: Buffer;
      attempts_made: number;
      copy_planned: number;
      copy_of: number | null;
    }>;
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      webhookId: r.webhook_id,
      event: r.event,
      body: r.body,
      attemptsMade: r.attempts_made,
      copyPlanned: r.copy_planned === 1,
      duplicate: r.copy_of !== null,
    }));
  }

  /** The next `limit` pending deliveries by due time: their row and when they are due. */
  nextDue(limit: number): Array<{ seq: number; at: number }> {
    return this.#statements.nextDue.all({ limit }) as Array<{ seq: number; at: number }>;
  }

  /**
   * Recomputes the due time of every scheduled retry with `timeScale` (`serve --time-scale`), so a
   * restart with another scale applies it to the retries already waiting. Returns how many moved.
   */
  rescheduleRetries(timeScale: number): number {
    return this.#statements.rescheduleRetries.run({ timeScale }).changes;
  }

  pendingCount(): number {
    return (this.#statements.pendingCount.get() as { n: number }).n;
  }

  /** Marks a pending delivery as not attempted at `at`, saying why (its webhook is disabled). */
  skipDelivery(seq: number, reason: string, at = Date.now()): void {
    this.#statements.skipDelivery.run({ seq, reason, at });
  }

  /**
   * Records attempts and what follows each, all in one transaction (group commit): the attempt
   * row, the delivery's new state, and the webhook's consecutive-failure count (reset by a
   * success). When that count reaches `disableAfter`, the webhook is disabled with the reason
   * the attempt gives. Returns, per attempt, the count and whether it disabled the webhook.
   */
  recordAttempts(
    items: readonly RecordedAttempt[],
    disableAfter: number,
  ): Array<{ consecutiveFailures: number; disabled: boolean }> {
    try {
      return this.#db.transaction(() => items.map((item) => this.#recordOne(item, disableAfter)))();
    } catch (err) {
      // Rolled back: the cached counts may be ahead of the file; read them afresh next time.
      this.#webhooks = undefined;
      this.#subscriberIds.clear();
      throw err;
    }
  }

  #recordOne(
    { attempt, outcome, disabledReason, releaseCopy }: RecordedAttempt,
    disableAfter: number,
  ): { consecutiveFailures: number; disabled: boolean } {
    const s = this.#statements;
    // The webhook (and with it the delivery) may have been deleted while the attempt was out.
    const retry = { retryFrom: outcome.retryFrom ?? null, retryDelayMs: outcome.retryDelayMs ?? null };
    const cached = this.#cached().get(attempt.webhookId);
    if (
      s.advanceDelivery.run({ seq: attempt.deliverySeq, attempt: attempt.attempt, ...outcome, ...retry }).changes === 0
    )
      return { consecutiveFailures: 0, disabled: false };
    if (releaseCopy) {
      s.releaseCopy.run({ seq: attempt.deliverySeq, now: Date.now() });
      s.copyReleased.run(attempt.deliverySeq);
    }
    // An attempt that was in flight when its webhook was disabled: no retry follows it.
    if (outcome.state === 'pending' && cached && !cached.active)
      s.skipDelivery.run({
        seq: attempt.deliverySeq,
        reason: `webhook ${cached.id} is disabled${cached.disabledReason ? `: ${cached.disabledReason}` : ''}`,
        at: Date.now(),
      });
    s.insertAttempt.run({
      deliverySeq: attempt.deliverySeq,
      webhookId: attempt.webhookId,
      attempt: attempt.attempt,
      startedAt: attempt.startedAt,
      succeeded: attempt.succeeded ? 1 : 0,
      responseStatus: attempt.responseStatus,
      durationMs: attempt.durationMs,
      error: attempt.error,
      requestHeaders: attempt.request ? JSON.stringify(attempt.request.headers) : null,
      requestBody: attempt.request?.body ?? null,
      responseHeaders: attempt.response ? JSON.stringify(attempt.response.headers) : null,
      responseBody: attempt.response?.body ?? null,
    });
    if (attempt.succeeded) {
      s.resetFailures.run(attempt.webhookId);
      if (cached) cached.consecutiveFailures = 0;
      return { consecutiveFailures: 0, disabled: false };
    }
    const row = s.countFailure.get(attempt.webhookId) as { consecutive_failures: number; active: number } | undefined;
    if (!row) return { consecutiveFailures: 0, disabled: false };
    if (cached) cached.consecutiveFailures = row.consecutive_failures;
    const disabled = row.active === 1 && row.consecutive_failures >= disableAfter;
    if (disabled) {
      s.disableWebhook.run({ id: attempt.webhookId, reason: disabledReason, at: attempt.startedAt });
      // Everything still owed to it is skipped now, with the reason, rather than when it comes due.
      s.skipPendingOf.run({
        webhookId: attempt.webhookId,
        reason: `webhook ${attempt.webhookId} is disabled: ${disabledReason}`,
        at: Date.now(),
      });
      if (cached)
        Object.assign(cached, {
          active: false,
          disabledReason,
          disabledAt: attempt.startedAt,
          version: cached.version + 1,
        });
      this.#subscriberIds.clear();
    }
    return { consecutiveFailures: row.consecutive_failures, disabled };
  }

  /**
   * The webhook's attempts and the deliveries not (yet) attempted, newest first by the time each
   * row shows: when the attempt started, when the next one is due, or when it was skipped. Each
   * query reads its first `limit` rows in that same order, so the merge is exact.
   */
  listAttempts(webhookId: string, filter: AttemptFilter = {}): AttemptRow[] {
    const limit = filter.limit ?? 50;
    const status = filter.status;
    const rows: AttemptRow[] = [];
    const wantsMade = status === undefined || status === 'succeeded' || status === 'failed' || /^\d{3}$/.test(status);
    const wantsOpen = status === undefined || status === 'pending' || status === 'skipped';
    if (wantsOpen) {
      const open = this.#statements.openDeliveries.all({ webhookId, state: status ?? null, limit }) as Array<{
        id: string;
        webhook_id: string;
        event: string;
        state: 'pending' | 'skipped';
        attempts_made: number;
        at: number;
        state_reason: string | null;
        copy_of: number | null;
      }>;
      for (const d of open) {
        rows.push({
          id: null,
          deliveryId: d.id,
          webhookId: d.webhook_id,
          event: d.event,
          attempt: d.attempts_made + 1,
          status: d.state,
          at: d.at,
          responseStatus: null,
          durationMs: null,
          error: d.state_reason,
          deliveryState: d.state,
          duplicate: d.copy_of !== null,
        });
      }
    }
    if (wantsMade) {
      const made = this.#statements.attempts.all({
        webhookId,
        succeeded: status === 'succeeded' ? 1 : status === 'failed' ? 0 : null,
        responseStatus: status && /^\d{3}$/.test(status) ? Number(status) : null,
        limit,
      }) as Array<{
        id: number;
        delivery_id: string;
        webhook_id: string;
        event: string;
        attempt: number;
        started_at: number;
        succeeded: number;
        response_status: number | null;
        duration_ms: number;
        error: string | null;
        state: DeliveryState;
        copy_of: number | null;
        request_headers: string | null;
        request_body: Buffer | null;
        response_headers: string | null;
        response_body: Buffer | null;
      }>;
      for (const a of made) {
        rows.push({
          id: a.id,
          deliveryId: a.delivery_id,
          webhookId: a.webhook_id,
          event: a.event,
          attempt: a.attempt,
          status: a.succeeded ? 'succeeded' : 'failed',
          at: a.started_at,
          responseStatus: a.response_status,
          durationMs: a.duration_ms,
          error: a.error,
          deliveryState: a.state,
          duplicate: a.copy_of !== null,
          request:
            a.request_headers !== null
              ? { headers: JSON.parse(a.request_headers) as HeaderMap, body: a.request_body ?? Buffer.alloc(0) }
              : undefined,
          response:
            a.response_headers !== null
              ? { headers: JSON.parse(a.response_headers) as HeaderMap, body: a.response_body ?? Buffer.alloc(0) }
              : undefined,
        });
      }
    }
    // Newest first; at the same moment, a row not yet attempted sorts above the attempts made.
    rows.sort((a, b) => b.at - a.at || (b.id ?? Infinity) - (a.id ?? Infinity));
    return rows.slice(0, limit);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    insertWebhook:
      db.prepare(`INSERT INTO webhooks (id, url, events, secret, active, debug_mode, created_at, updated_at, consecutive_failures, disabled_reason, disabled_at, version)
      VALUES (@id, @url, @events, @secret, @active, @debugMode, @createdAt, @updatedAt, @consecutiveFailures, @disabledReason, @disabledAt, @version)`),
    updateWebhook:
      db.prepare(`UPDATE webhooks SET url = @url, events = @events, secret = @secret, active = @active, debug_mode = @debugMode,
      updated_at = @updatedAt, consecutive_failures = @consecutiveFailures, disabled_reason = @disabledReason, disabled_at = @disabledAt,
      version = @version WHERE id = @id`),
    listWebhooks: db.prepare('SELECT * FROM webhooks ORDER BY created_at, id'),
    deleteWebhook: db.prepare('DELETE FROM webhooks WHERE id = ?'),
    insertDelivery:
      db.prepare(`INSERT INTO deliveries (id, webhook_id, event, body, created_at, state, attempts_made, next_attempt_at, copy_planned)
      VALUES (@id, @webhookId, @event, @body, @createdAt, 'pending', 0, @dueAt, @copyPlanned)`),
    // The planned duplicate: the same id and bytes, due now; the original plans no more.
    releaseCopy:
      db.prepare(`INSERT INTO deliveries (id, webhook_id, event, body, created_at, state, attempts_made, next_attempt_at, copy_of)
      SELECT id, webhook_id, event, body, @now, 'pending', 0, @now, seq FROM deliveries WHERE seq = @seq AND copy_planned = 1`),
    copyReleased: db.prepare('UPDATE deliveries SET copy_planned = 0 WHERE seq = ?'),
    dueDeliveries:
      db.prepare(`SELECT id, seq, webhook_id, event, body, attempts_made, copy_planned, copy_of FROM deliveries
      WHERE state = 'pending' AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit`),
    nextDue: db.prepare(
      `SELECT seq, next_attempt_at AS at FROM deliveries WHERE state = 'pending' ORDER BY next_attempt_at LIMIT @limit`,
    ),
    pendingCount: db.prepare(`SELECT count(*) AS n FROM deliveries WHERE state = 'pending'`),
    skipDelivery: db.prepare(
      `UPDATE deliveries SET state = 'skipped', next_attempt_at = NULL, state_reason = @reason, skipped_at = @at WHERE seq = @seq AND state = 'pending'`,
    ),
    skipPendingOf:
      db.prepare(`UPDATE deliveries SET state = 'skipped', next_attempt_at = NULL, state_reason = @reason, skipped_at = @at
      WHERE webhook_id = @webhookId AND state = 'pending'`),
    advanceDelivery:
      db.prepare(`UPDATE deliveries SET state = @state, next_attempt_at = @nextAttemptAt, state_reason = @stateReason, attempts_made = @attempt,
      retry_from = @retryFrom, retry_delay_ms = @retryDelayMs WHERE seq = @seq`),
    rescheduleRetries:
      db.prepare(`UPDATE deliveries SET next_attempt_at = retry_from + CAST(round(retry_delay_ms * @timeScale) AS INTEGER)
      WHERE state = 'pending' AND retry_delay_ms IS NOT NULL AND next_attempt_at != retry_from + CAST(round(retry_delay_ms * @timeScale) AS INTEGER)`),
    insertAttempt:
      db.prepare(`INSERT INTO attempts (delivery_seq, webhook_id, attempt, started_at, succeeded, response_status, duration_ms, error,
      request_headers, request_body, response_headers, response_body)
      VALUES (@deliverySeq, @webhookId, @attempt, @startedAt, @succeeded, @responseStatus, @durationMs, @error, @requestHeaders, @requestBody,
      @responseHeaders, @responseBody)`),
    // Most successes follow successes: leave the row (and its page) alone when already 0.
    resetFailures: db.prepare(
      'UPDATE webhooks SET consecutive_failures = 0 WHERE id = ? AND consecutive_failures != 0',
    ),
    countFailure: db.prepare(
      'UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = ? RETURNING consecutive_failures, active',
    ),
    disableWebhook: db.prepare(
      'UPDATE webhooks SET active = 0, disabled_reason = @reason, disabled_at = @at, version = version + 1 WHERE id = @id',
    ),
    // The time a row shows, in the expression the deliveries_open index holds (migration 3).
    openDeliveries:
      db.prepare(`SELECT id, webhook_id, event, state, attempts_made, coalesce(next_attempt_at, skipped_at, created_at) AS at, state_reason, copy_of
      FROM deliveries WHERE webhook_id = @webhookId AND state IN ('pending', 'skipped') AND (@state IS NULL OR state = @state)
      ORDER BY coalesce(next_attempt_at, skipped_at, created_at) DESC, seq DESC LIMIT @limit`),
    attempts:
      db.prepare(`SELECT a.*, d.id AS delivery_id, d.event, d.state, d.copy_of FROM attempts a JOIN deliveries d ON d.seq = a.delivery_seq
      WHERE a.webhook_id = @webhookId AND (@succeeded IS NULL OR a.succeeded = @succeeded) AND (@responseStatus IS NULL OR a.response_status = @responseStatus)
      ORDER BY a.started_at DESC, a.id DESC LIMIT @limit`),
  };
}

function webhookParams(w: Webhook): Record<string, unknown> {
  return {
    id: w.id,
    url: w.url,
    events: JSON.stringify(w.events),
    secret: w.secret,
    active: w.active ? 1 : 0,
    debugMode: w.debugMode ? 1 : 0,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    consecutiveFailures: w.consecutiveFailures,
    disabledReason: w.disabledReason,
    disabledAt: w.disabledAt,
    version: w.version,
  };
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    secret: row.secret,
    active: row.active === 1,
    debugMode: row.debug_mode === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    consecutiveFailures: row.consecutive_failures,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    version: row.version,
  };
}
