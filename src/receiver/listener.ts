/**
 * A running `listen`: the history, the webhook receiver, the node:http transport and an optional
 * route table, started together and closed together (answers first, then every record written).
 * Other transports (the relay tunnel) feed requests into `handler`; other features (relay state,
 * a registered webhook) publish what the header should show through `setInfo`.
 */
import { basename } from 'node:path';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { HistoryStore } from '../store/history-store.js';
import { USER_AGENT } from '../version.js';
import type { WriteProblem } from './batch-writer.js';
import { createRouter, type Router } from './forwarder.js';
import { HistoryRecorder, type RecorderSummary } from './history-recorder.js';
import { startHttpReceiver } from './http-receiver.js';
import { type ListenerStats, StatsCounter } from './listener-stats.js';
import type { HeldHandler, RawRequest, RequestHandler } from './raw-exchange.js';
import { RouteDoctor, type RouteVerdict } from './route-doctor.js';
import type { Route } from './routes.js';
import { type ReceiverSettings, WebhookReceiver } from './webhook-receiver.js';

export interface ListenerOptions {
  dbPath: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  path?: string;
  secrets: readonly string[];
  /** false: record every request but reject none for its signature or body (`--no-verify`). */
  verify?: boolean;
  maxBodyBytes?: number;
  respondStatus?: number;
  respondDelayMs?: number;
  /** Pass requests on to the app of the first route matching their event (checked by `parseRouteFlag`, `loadRoutesFile`). */
  routes?: readonly Route[];
  forwardTimeoutMs?: number;
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route forwarded requests; its config directory keeps the relay channel. */
  env?: NodeJS.ProcessEnv;
  requestTimeoutMs?: number;
  /** How long `close()` may take, all told: answers in flight, writes, the spool (default 5 s). */
  graceMs?: number;
  /** Check every delivery against the envelope rules and its event's schema, and record the verdict. */
  validate?: boolean;
  /** With `validate`: answer a delivery that breaks its schema with 422. */
  strict?: boolean;
  /**
   * false: when a route's app rejects (401/403) a delivery listen verified, do not run the doctor
   * against that app (by default it runs once per route, in the background).
   */
  diagnose?: boolean;
  /**
   * With routes, an app that is down: `fail` answers 502 (the default); `hold` answers 202, keeps
   * the delivery and passes it on in arrival order once the app answers (see app-down-queue.ts).
   */
  appDown?: 'hold' | 'fail';
}

/** What the listening header shows beyond the receiver itself; filled in by optional features. */
export interface ListenerInfo {
  relay?: { state: 'connecting' | 'connected' | 'reconnecting' | 'disconnected'; publicUrl?: string; message?: string };
  /** The id of the webhook `listen --register` created for this listener. */
  webhookId?: string;
  /** The web inspector's address, access token included. */
  inspectorUrl?: string;
  /**
   * The relay's backlog: `catching-up` while held deliveries come in (`count` of them, the oldest
   * held `oldestHeldMs`), `caught-up` once they are in the history (`count`, the longest held
   * `maxHeldMs`); `skipped`: dropped at `--backlog`'s choice.
   */
  backlog?: {
    state: 'catching-up' | 'caught-up';
    count: number;
    skipped: number;
    oldestHeldMs?: number;
    maxHeldMs?: number;
  };
  /**
   * `--app-down hold`: deliveries held for apps that are down (0 once all were passed on), and
   * how many of those passed on the app then refused (`lastRefused`: the latest, with why).
   */
  appDown?: { held: number; refused?: number; lastRefused?: { deliveryId: string | null; why: string } };
}

/**
 * Records written to the history database, those that could not be (locked throughout, a full
 * disk, damaged) and went to spool files (how many in which, and why), and those kept nowhere;
 * and how many deliveries were still held for an app that was down (`--app-down hold`).
 */
export type ListenerSummary = RecorderSummary & { heldForApp?: number };

export interface Listener {
  /** The webhook endpoint, e.g. `http://127.0.0.1:3000/webhook`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly secrets: readonly string[];
  /** The route table, in match order; empty when listen answers everything itself. */
  readonly routes: readonly Route[];
  readonly dbPath: string;
  /** Verifies, records and answers one request; for transports other than the local port. */
  readonly handler: RequestHandler;
  /** Takes one delivery a relay held (see HeldHandler): recorded once, with how long it was held. */
  readonly handleHeld: HeldHandler;
  stats(): ListenerStats;
  /** Called for every request answered, right after it was queued for the history. */
  onRecord(listener: (record: DeliveryRecord) => void): () => void;
  /**
   * Called when writing the history starts failing (the problem: refusing when nothing can be
   * written anywhere, and requests are answered 503) or recovers (null).
   */
  onWriteProblem(listener: (problem: WriteProblem | null) => void): () => void;
  /** Called when the doctor has found why a route's app rejects deliveries listen verified. */
  onDiagnosis(listener: (verdict: RouteVerdict) => void): () => void;
  info(): ListenerInfo;
  setInfo(patch: Partial<ListenerInfo>): void;
  onInfo(listener: (info: ListenerInfo) => void): () => void;
  /** Records a request this process sent (a replay from the TUI) in the same history. */
  recordSent(record: DeliveryRecord): void;
  /**
   * Stops accepting, answers what is in flight, writes every record (or spools it), closes the
   * history, all within the grace period; at once when `cutShort` resolves (a second Ctrl-C).
   */
  close(options?: { cutShort?: Promise<unknown> }): Promise<ListenerSummary>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 3000,
  path: '/webhook',
  maxBodyBytes: 1024 * 1024,
  respondStatus: 200,
  forwardTimeoutMs: 10_000,
  graceMs: 5_000,
} as const;

/** Kept back from the grace period for the last writes, the spool and closing the file. */
const CLOSE_RESERVE_MS = 1_000;

/** How often records appended by `trigger` to the spool are pulled into the history. */
const SPOOL_IMPORT_INTERVAL_MS = 1_000;

export async function startListener(options: ListenerOptions): Promise<Listener> {
  const host = options.host ?? DEFAULTS.host;
  const path = options.path ?? DEFAULTS.path;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const recordListeners = new Set<(record: DeliveryRecord) => void>();
  const problemListeners = new Set<(problem: WriteProblem | null) => void>();
  const infoListeners = new Set<(info: ListenerInfo) => void>();
  const diagnosisListeners = new Set<(verdict: RouteVerdict) => void>();
  const counter = new StatsCounter();
  let info: ListenerInfo = {};

  // A short busy timeout: a lock held by another process must not stall answers; the recorder
  // keeps the records and retries (see BatchWriter).
  // The spool is imported by the recorder below: a damage the import finds is where the requests
  // start going to the spool, not a failed start.
  const store = HistoryStore.open(options.dbPath, { importSpool: false });
  store.setBusyTimeout(20);
  let appRefused = 0;
  const recorder = new HistoryRecorder(store, {
    onWriteProblem: (p) => problemListeners.forEach((l) => l(p)),
    reserveRoom: true,
    onAppRefused: (record) => {
      appRefused += 1;
      setInfo({
        appDown: {
          held: info.appDown?.held ?? 0,
          refused: appRefused,
          lastRefused: { deliveryId: record.deliveryId, why: record.error ?? '' },
        },
      });
    },
  });
  recorder.importSpool();
  const setInfo = (patch: Partial<ListenerInfo>) => {
    info = { ...info, ...patch };
    for (const listener of infoListeners) listener(info);
  };
  const heldPerRoute = new Map<Route, number>();
  const router = options.routes?.length
    ? createRouter(options.routes, options.forwardTimeoutMs ?? DEFAULTS.forwardTimeoutMs, {
        env: options.env,
        appDownHold:
          options.appDown === 'hold'
            ? {
                onChange: (route, held) => {
                  heldPerRoute.set(route, held);
                  setInfo({
                    appDown: { ...info.appDown, held: [...heldPerRoute.values()].reduce((a, b) => a + b, 0) },
                  });
                },
              }
            : undefined,
      })
    : undefined;
  const routeDoctor =
    router && options.secrets.length > 0 && options.diagnose !== false
      ? new RouteDoctor({
          userAgent: USER_AGENT,
          timeoutMs: options.forwardTimeoutMs ?? DEFAULTS.forwardTimeoutMs,
          env: options.env,
          record: (r) => recorder.record(r),
          annotate: (records, line) => recorder.annotate(records, line),
          onVerdict: (verdict) => {
            for (const listener of diagnosisListeners) listener(verdict);
          },
        })
      : undefined;
  // The validator (ajv) loads only for --validate: a plain listener starts without it.
  const judge = options.validate || options.strict ? await loadDeliveryJudge() : undefined;
  const receiver = new WebhookReceiver(
    {
      path,
      secrets: options.secrets,
      verify: options.verify ?? true,
      maxBodyBytes,
      respondStatus: options.respondStatus ?? DEFAULTS.respondStatus,
      respondDelayMs: options.respondDelayMs ?? 0,
      router,
      judge,
      strict: options.strict,
      routeDoctor,
    },
    recorder,
    (record) => {
      counter.add(record);
      for (const listener of recordListeners) listener(record);
    },
  );
  let http;
  try {
    http = await startHttpReceiver(receiver, {
      host,
      port: options.port ?? DEFAULTS.port,
      maxBodyBytes,
      requestTimeoutMs: options.requestTimeoutMs,
    });
  } catch (err) {
    await recorder.close();
    router?.close();
    store.close();
    throw err;
  }
  receiver.serving(reachableUrl(host, http.port, path));
  if (router && options.appDown === 'hold') resumeHeldForApp(store, router, recorder);
  const spoolTimer = setInterval(() => recorder.importSpool(), SPOOL_IMPORT_INTERVAL_MS);
  spoolTimer.unref();
  const subscribe = <T>(set: Set<T>, listener: T) => (set.add(listener), () => void set.delete(listener));
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<ListenerSummary> | undefined;

  return {
    url: `http://${urlHost}:${http.port}${path}`,
    host,
    port: http.port,
    path,
    secrets: options.secrets,
    routes: options.routes ?? [],
    dbPath: options.dbPath,
    handler: receiver.handle,
    handleHeld: receiver.receiveHeld,
    stats: () => counter.snapshot(),
    onRecord: (listener) => subscribe(recordListeners, listener),
    onWriteProblem: (listener) => subscribe(problemListeners, listener),
    onDiagnosis: (listener) => subscribe(diagnosisListeners, listener),
    info: () => info,
    setInfo,
    onInfo: (listener) => subscribe(infoListeners, listener),
    recordSent: (record) => recorder.record(record),
    close({ cutShort } = {}) {
      closing ??= (async () => {
        const deadline = Date.now() + (options.graceMs ?? DEFAULTS.graceMs);
        const left = () => Math.max(0, deadline - CLOSE_RESERVE_MS - Date.now());
        let hurried = false;
        const hurry = cutShort?.then(() => (hurried = true));
        clearInterval(spoolTimer);
        http.stopAccepting();
        // Requests still being forwarded or delayed finish (within their own timeouts and the
        // grace period), are answered and recorded; then the remaining connections are closed.
        const forwardTimeoutMs = Math.max(
          options.forwardTimeoutMs ?? DEFAULTS.forwardTimeoutMs,
          ...(options.routes ?? []).map((r) => r.timeoutMs ?? 0),
        );
        const ownTimeouts = Date.now() + forwardTimeoutMs + (options.respondDelayMs ?? 0) + 1_000;
        await Promise.race([receiver.idle(Math.min(ownTimeouts, Date.now() + left())), hurry].filter(Boolean));
        await http.closeConnections(hurried ? 0 : Math.min(500, left()));
        // A diagnosis still running ends here; what it sent is recorded.
        await routeDoctor?.stop();
        const heldForApp = router?.close() ?? 0;
        const recorded = await recorder.close({ retryMs: hurried ? 0 : left(), cutShort });
        const summary: ListenerSummary = heldForApp ? { ...recorded, heldForApp } : recorded;
        // What `trigger` spooled meanwhile: a damaged file takes nothing, and a hurry has no time.
        // Our own spool files may go in too, once the database takes writes again: counted as written.
        const imported = !summary.damage && !hurried ? recorder.importSpool() : new Map<string, number>();
        try {
          store.close();
        } catch {
          // A checkpoint a full disk refused: the WAL keeps those pages for the next open.
        }
        return withImported(summary, imported);
      })();
      return closing;
    },
  };
}

/** The summary once our own spool files that were imported at the end count as written. */
function withImported(summary: ListenerSummary, imported: Map<string, number>): ListenerSummary {
  const taken = (summary.spools ?? []).filter((file) => imported.has(basename(file.path, '.jsonl')));
  if (taken.length === 0) return summary;
  const moved = taken.reduce((sum, file) => sum + file.records, 0);
  const spools = (summary.spools ?? []).filter((file) => !taken.includes(file));
  return {
    ...summary,
    written: summary.written + moved,
    spilled: summary.spilled - moved,
    spools,
    spoolPath: spools[0]?.path,
  };
}

/**
 * The listener's webhook URL as this machine reaches it: a wildcard bind (0.0.0.0, ::) is
 * reached on loopback. Recorded with each request as where a replay goes.
 */
function reachableUrl(host: string, port: number, path: string): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;
  const urlHost = reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable;
  return `http://${urlHost}:${port}${path}`;
}

/** Deliveries the history says were still held for an app when listen last stopped: held again, first. */
function resumeHeldForApp(store: HistoryStore, router: Router, recorder: HistoryRecorder): void {
  let held: ReturnType<HistoryStore['heldForApp']>;
  try {
    held = store.heldForApp();
  } catch {
    return; // Locked or damaged: they stay marked, for the next start.
  }
  for (const record of held) {
    const request: RawRequest = {
      method: record.method,
      path: record.url,
      headers: record.requestHeaders,
      body: record.requestBody,
      remoteAddress: record.remoteAddress,
      via: record.source === 'relay' ? 'relay' : 'local',
    };
    void router.hold(request, record.event)?.then((result) => recorder.passedOn(record, result));
  }
}

async function loadDeliveryJudge(): Promise<NonNullable<ReceiverSettings['judge']>> {
  const [{ EventValidator }, { judgeDelivery }] = await Promise.all([
    import('../schemas/event-validator.js'),
    import('../schemas/delivery-verdict.js'),
  ]);
  const validator = new EventValidator();
  return (headers, body) => judgeDelivery(validator, headers, body);
}
