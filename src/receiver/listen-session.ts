/**
 * A whole `listen` run as one service: the listener, and the features started beside it — a
 * relay tunnel (`--relay`) and a webhook registered for it (`--register`) — started in that
 * order and ended in reverse, before the listener closes. It never prints: it returns a handle
 * and reports through typed events; the command decides how they read (lines, JSON lines, a TUI).
 */
import type { ClientOptions } from '../api/platform-client.js';
import { UserError } from '../errors.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import type { WriteProblem } from './batch-writer.js';
import { keepEarlyRecords } from './early-records.js';
import {
  type Listener,
  type ListenerInfo,
  type ListenerOptions,
  type ListenerSummary,
  startListener,
} from './listener.js';
import type { RouteVerdict } from './route-doctor.js';

export interface ListenSessionOptions extends ListenerOptions {
  /** Also receive through this relay (already checked with `normaliseRelayUrl`). */
  relayUrl?: string;
  /** The relay's access key (`--relay-key`, WEBHOOKS_RELAY_KEY, `config set relay-key`). */
  relayKey?: string;
  /** `--relay-channel NAME`: a channel of its own for this relay URL and name. */
  relayChannel?: string;
  /** `--backlog`: which of the deliveries the relay held while this listener was away to take (default all). */
  backlog?: 'all' | 'none' | number;
  /** Register a webhook for the listener through this API (events already checked); removed on stop. */
  register?: { api: ClientOptions; events: string[] };
  /** How long to wait for the relay's public URL, which is what gets registered behind a relay. */
  publicUrlWaitMs?: number;
  /** How often the answered requests are handed on as one `requests` event. */
  batchMs?: number;
  /** Serve the web inspector beside the listener (src/inspector/); absent: none. */
  inspect?: ListenInspectOptions;
  /**
   * Keep what is answered from the moment the port opens until the session's listener gets its
   * first `onRecord` subscriber, a view that loads later (the TUI), and hand it over first.
   */
  keepEarlyRecords?: boolean;
}

export interface ListenInspectOptions {
  host: string;
  port: number;
  /** The port was not chosen: take the next free one when it is taken. */
  nextFreePort: boolean;
  /** Where the page's exports are written when it names a relative folder. */
  cwd: string;
}

export interface ListenSessionEvents {
  /**
   * The requests answered since the last batch, every `batchMs` while there are any, and once
   * more when the listener has closed: one event per request would cost more than the request
   * itself at thousands a second. Only gathered while someone subscribes.
   */
  requests: readonly DeliveryRecord[];
  /** Writing the history started failing (the problem) or recovered (null). */
  writeProblem: WriteProblem | null;
  /** What the header shows changed: the relay's state and public URL, the registered webhook. */
  info: ListenerInfo;
  /** The relay tunnel's warnings: a malformed frame, a channel that could not be saved. */
  relayWarning: string;
  /** What became of the registered webhook on stop: removed, already gone, or left behind (and how to remove it). */
  registrationNote: string;
  /** The doctor found why a route's app rejects deliveries listen verified. */
  diagnosis: RouteVerdict;
  /** The session has ended (a stop, or a start that failed half-way): every request answered and recorded. */
  stopped: ListenSummary;
}

export type ListenSessionHandlers = { [E in keyof ListenSessionEvents]?: (value: ListenSessionEvents[E]) => void };

/**
 * How many requests were answered, and where each is: written to the history, or kept in a spool
 * file (which, and why: the database stayed locked, or is damaged).
 */
export type ListenSummary = ListenerSummary & { received: number };

export interface ListenSession {
  readonly listener: Listener;
  /**
   * Settles only if the session ends by itself: the relay refused or took over the channel, so
   * its public URL no longer reaches this machine. The error says why and what to do.
   */
  readonly failed: Promise<UserError>;
  on<E extends keyof ListenSessionEvents>(event: E, handler: (value: ListenSessionEvents[E]) => void): () => void;
  /**
   * Ends the features in reverse order, then closes the listener within its grace period (at
   * once when `cutShort` resolves: a second Ctrl-C); once, however often called.
   */
  stop(options?: { cutShort?: Promise<unknown> }): Promise<ListenSummary>;
}

export const PUBLIC_URL_WAIT_MS = 10_000;
const BATCH_MS = 20;

/**
 * Starts the listener, then the relay tunnel, then the registration. `handlers` are subscribed
 * before anything starts, so a warning during the start is not lost; if a step fails, what had
 * started is stopped (`stopped` is emitted) and the step's error is thrown.
 */
export async function startListenSession(
  options: ListenSessionOptions,
  handlers: ListenSessionHandlers = {},
): Promise<ListenSession> {
  const events = new SessionEvents();
  for (const [event, handler] of Object.entries(handlers))
    if (handler) events.on(event as keyof ListenSessionEvents, handler as never);

  const started = await startListener(options);
  // In the turn the port opened: no request has been answered yet.
  const listener = options.keepEarlyRecords ? keepEarlyRecords(started) : started;
  listener.onWriteProblem((problem) => events.emit('writeProblem', problem));
  listener.onInfo((info) => events.emit('info', info));
  listener.onDiagnosis((verdict) => events.emit('diagnosis', verdict));
  const batch = batchRecords(started, options.batchMs ?? BATCH_MS, events);
  // Features started beside the listener push how to end them here.
  const ends: Array<() => Promise<void> | void> = [];
  let stopping: Promise<ListenSummary> | undefined;
  const stop = ({ cutShort }: { cutShort?: Promise<unknown> } = {}) =>
    (stopping ??= (async () => {
      for (const end of ends.reverse()) await end();
      const closed = await listener.close({ cutShort });
      batch.flush();
      const summary = { ...closed, received: listener.stats().received };
      events.emit('stopped', summary);
      return summary;
    })());

  let failed: Promise<UserError> = new Promise(() => {});
  try {
    if (options.inspect) {
      const { startInspector } = await import('../inspector/inspector-server.js');
      const inspector = await startInspector({
        ...options.inspect,
        dbPath: listener.dbPath,
        mode: 'listen',
        listenerUrl: listener.url,
        secrets: listener.secrets,
        noSecretHint: 'restart listen with --secret',
        // The listener's recorder stays the file's one writer in this process.
        recordSent: (record) => listener.recordSent(record),
        env: options.env ?? {},
      });
      ends.push(() => inspector.close());
      listener.setInfo({ inspectorUrl: inspector.url });
    }
    if (options.relayUrl) {
      const { connectListenerToRelay } = await import('../tunnel/listen-tunnel.js');
      const tunnel = await connectListenerToRelay(listener, {
        relayUrl: options.relayUrl,
        relayKey: options.relayKey,
        channelName: options.relayChannel,
        backlog: options.backlog,
        // Without a relay's proxy and config settings, the empty environment: no proxy, the default folder.
        env: options.env ?? {},
        onWarning: (message) => events.emit('relayWarning', message),
      });
      ends.push(() => tunnel.stop());
      failed = tunnel.ended.then((end) =>
        end.reason === 'stopped' ? new Promise<never>(() => {}) : new UserError(end.message, { hint: end.hint }),
      );
    }
    if (options.register) {
      const { registerListener } = await import('../api/listener-registration.js');
      // Behind a relay, the platform must call the public URL, which is known once the tunnel is up.
      const url = options.relayUrl
        ? await publicUrlOf(listener, options.publicUrlWaitMs ?? PUBLIC_URL_WAIT_MS)
        : listener.url;
      const registration = await registerListener(
        options.register.api,
        { url, secrets: listener.secrets },
        options.register.events,
        (line) => events.emit('registrationNote', line),
      );
      ends.push(() => registration.remove());
      listener.setInfo({ webhookId: registration.webhookId });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { listener, failed, on: (event, handler) => events.on(event, handler), stop };
}

/** The relay's public URL for this listener, once the tunnel has one. */
function publicUrlOf(listener: Listener, waitMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (info: ListenerInfo) => {
      if (!info.relay?.publicUrl) return;
      done();
      resolve(info.relay.publicUrl);
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new UserError(`the relay gave no public URL within ${waitMs / 1000} s, so there is nothing to register`, {
          hint: 'check that the relay is running, or drop --register',
        }),
      );
    }, waitMs);
    const unsubscribe = listener.onInfo(check);
    const done = () => (clearTimeout(timer), unsubscribe());
    check(listener.info());
  });
}

/** Gathers answered requests and emits them as one `requests` event every `everyMs`. */
function batchRecords(listener: Listener, everyMs: number, events: SessionEvents) {
  let pending: DeliveryRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const records = pending;
    pending = [];
    if (records.length) events.emit('requests', records);
  };
  listener.onRecord((record) => {
    if (!events.has('requests')) return;
    timer ??= setTimeout(flush, everyMs);
    pending.push(record);
  });
  return { flush };
}

/** A typed event emitter, as small as the session needs: subscribe (returns the unsubscribe), emit, ask. */
class SessionEvents {
  private readonly handlers = new Map<keyof ListenSessionEvents, Set<(value: never) => void>>();

  on<E extends keyof ListenSessionEvents>(event: E, handler: (value: ListenSessionEvents[E]) => void): () => void {
    const set = this.handlers.get(event) ?? new Set();
    this.handlers.set(event, set);
    set.add(handler);
    return () => void set.delete(handler);
  }

  emit<E extends keyof ListenSessionEvents>(event: E, value: ListenSessionEvents[E]): void {
    for (const handler of this.handlers.get(event) ?? []) (handler as (value: ListenSessionEvents[E]) => void)(value);
  }

  has(event: keyof ListenSessionEvents): boolean {
    return (this.handlers.get(event)?.size ?? 0) > 0;
  }
}
