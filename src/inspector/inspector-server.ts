/**
 * The inspector: a small node:http server for the page in src/inspector-page/ and its JSON API
 * over the history. `listen` starts one in its own process (beside the receiver, which it never
 * touches: it reads the history on a connection of its own, and replays go to the listener's
 * recorder); `webhooks-cli inspect` starts one over the history alone. Every request passes
 * access.ts first (Host, token, origin); every answer carries the page's strict policy.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { isHopByHop } from '../core/http-headers.js';
import { parseHttpUrl } from '../core/http-url.js';
import { writeFixtures } from '../delivery/fixtures.js';
import { replayDelivery } from '../delivery/replay-service.js';
import { UserError } from '../errors.js';
import { allowedHosts } from '../http/host-check.js';
import { DamagedFileError } from '../store/damaged-file.js';
import { type DeliveryRecord, deliveryLabel } from '../store/delivery-record.js';
import { exportRecords } from '../store/history-export.js';
import { HistoryStore } from '../store/history-store.js';
import { USER_AGENT } from '../version.js';
import { newAccessToken, refusal } from './access.js';
import { DEFAULT_INSPECT_HOST, DEFAULT_INSPECT_PORT } from './defaults.js';
import { detailJson } from './delivery-view.js';
import { filterFor, MAX_PAGE, readPage } from './history-pages.js';
import { LiveFeed } from './live-feed.js';
import { CONTENT_SECURITY_POLICY, loadPageAssets, type PageAsset } from './page-assets.js';
import type { ExportAnswer, ExportRequest, InspectorInfo, ReplayAnswer, ReplayRequest } from './wire.js';

/** How many ports after the default are tried before the system picks one. */
const PORTS_TRIED = 20;
/** An edited body is at most this large (the listener's default limit). */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const MAX_EXPORT = 1_000;
const REPLAY_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 15_000;
/** A page that stops reading gets no more rows once this much waits in its socket. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface InspectorOptions {
  dbPath: string;
  host?: string;
  port?: number;
  /** The port was not chosen (the default): when it is taken, take the next free one. */
  nextFreePort?: boolean;
  mode: InspectorInfo['mode'];
  /** The listener's webhook URL (`listen`). */
  listenerUrl?: string;
  /** Explain signatures with these; the first signs replays. */
  secrets: readonly string[];
  /** How to give a secret, when there is none to sign replays with. */
  noSecretHint: string;
  /** Where replays are recorded (`listen`: its recorder, the file's one writer); default: the inspector's own connection. */
  recordSent?: (record: DeliveryRecord) => void;
  /** The run's environment: its proxy settings route replays. */
  env: NodeJS.ProcessEnv;
  /** Where a relative export folder is. */
  cwd: string;
  /** Test seam: how often the live feed reads the history. */
  tickMs?: number;
}

export interface Inspector {
  /** The page's address with the access token, as printed. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const host = options.host ?? DEFAULT_INSPECT_HOST;
  // Opened when the page first asks: a history that cannot be read (damaged, locked) is the page's
  // error to show, never a reason for listen to stop answering.
  let opened: HistoryStore | undefined;
  const history = () => (opened ??= HistoryStore.open(options.dbPath));
  let liveFeed: LiveFeed | undefined;
  const feed = () => (liveFeed ??= new LiveFeed(history(), { tickMs: options.tickMs }));
  const assets = loadPageAssets();
  const token = newAccessToken();
  const streams = new Set<ServerResponse>();
  let hosts: ReadonlySet<string> = new Set();

  const info: InspectorInfo = {
    mode: options.mode,
    dbPath: options.dbPath,
    listenerUrl: options.listenerUrl ?? null,
    canSign: options.secrets.length > 0,
    signHint: options.secrets.length > 0 ? null : options.noSecretHint,
    secrets: options.secrets.length,
  };
  const record = options.recordSent ?? ((sent: DeliveryRecord) => void history().insert(sent));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://inspector.invalid');
    const refused = refusal(req, url, { token, hosts });
    if (refused) return sendJson(res, refused.status, { error: { message: refused.message } });
    const path = url.pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const asset = assets.get(path);
      if (asset) return sendAsset(req, res, asset);
      if (path === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
      if (path === '/api/info') return sendJson(res, 200, info);
      if (path === '/api/rows') {
        const before = optionalId(url.searchParams.get('before'));
        const limit = Math.min(MAX_PAGE, optionalId(url.searchParams.get('limit')) ?? 100);
        return sendJson(res, 200, readPage(history(), url.searchParams.get('q') ?? '', { before, limit }));
      }
      const detail = /^\/api\/rows\/(\d+)$/.exec(path);
      if (detail) {
        const found = history().get(Number(detail[1]));
        if (!found || found.id === undefined) throw new HttpProblem(404, `no row #${detail[1]} in the history`);
        return sendJson(res, 200, detailJson(found as DeliveryRecord & { id: number }, options.secrets));
      }
      if (path === '/api/live') return openLiveStream(req, res, url);
    }
    if (req.method === 'POST') {
      const replay = /^\/api\/rows\/(\d+)\/replay$/.exec(path);
      if (replay) return sendJson(res, 200, await replayRow(Number(replay[1]), await readJson<ReplayRequest>(req)));
      if (path === '/api/export') return sendJson(res, 200, exportRows(await readJson<ExportRequest>(req)));
    }
    throw new HttpProblem(404, `nothing at ${req.method} ${path}`);
  };

  const openLiveStream = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const after = optionalId(url.searchParams.get('after')) ?? history().lastId();
    const live = feed();
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
    res.write('retry: 2000\n\n');
    streams.add(res);
    let held = 0;
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const unsubscribe = live.subscribe({
      filter: filterFor(url.searchParams.get('q') ?? ''),
      after,
      rows: (batch) => {
        // A page that cannot keep up is told how many it missed rather than buffered without end.
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          held += batch.rows.length + batch.skipped;
          return;
        }
        send('rows', { ...batch, skipped: batch.skipped + held });
        held = 0;
      },
      activity: (batch) => send('activity', batch),
      problem: (message) => send('problem', { message }),
    });
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      unsubscribe();
      clearInterval(heartbeat);
      streams.delete(res);
    });
  };

  const replayRow = async (id: number, request: ReplayRequest): Promise<ReplayAnswer> => {
    const original = history().get(id);
    if (!original) throw new HttpProblem(404, `no row #${id} in the history`);
    const secret = options.secrets[0];
    if (!secret) throw new HttpProblem(409, 'cannot replay: no secret to sign with', options.noSecretHint);
    const to = request.to?.trim() ? checkedTarget(request.to.trim()) : undefined;
    const body = request.body === undefined ? undefined : checkedBody(request.body);
    const headers = request.headers === undefined ? undefined : checkedHeaders(request.headers);
    const outcome = await replayDelivery(original, {
      to,
      secret,
      timeoutMs: REPLAY_TIMEOUT_MS,
      userAgent: USER_AGENT,
      body,
      headers,
      env: options.env,
    });
    record(outcome.record);
    const { status, error } = outcome.result;
    const edited = body || headers ? 'an edited ' : '';
    return {
      ok: outcome.ok,
      line: `${outcome.ok ? '✓' : '✗'} replayed ${edited}${deliveryLabel(original)} as ${outcome.record.deliveryId} to ${outcome.record.url} → ${status ?? error}`,
      deliveryId: outcome.record.deliveryId,
      status: status ?? null,
      error: error ?? null,
    };
  };

  const exportRows = ({ ids, dir }: ExportRequest): ExportAnswer => {
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isSafeInteger(id) && id > 0))
      throw new HttpProblem(400, 'choose the rows to export');
    if (ids.length > MAX_EXPORT)
      throw new HttpProblem(
        400,
        `at most ${MAX_EXPORT} rows at once`,
        'use webhooks-cli history export --fixtures for more',
      );
    if (typeof dir !== 'string' || !dir.trim()) throw new HttpProblem(400, 'name a folder to write the fixtures to');
    const folder = resolve(options.cwd, dir.trim());
    const written = writeFixtures(exportRecords(history(), { ids, limit: ids.length }), folder);
    return { fixtures: written.length, dir: folder };
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof HttpProblem)
        return sendJson(res, err.status, { error: { message: err.message, hint: err.hint ?? null } });
      // A history that cannot be read (damaged, locked) is not the request's fault.
      if (err instanceof DamagedFileError)
        return sendJson(res, 503, { error: { message: err.message, hint: err.hint ?? null } });
      if (err instanceof UserError)
        return sendJson(res, 400, { error: { message: err.message, hint: err.hint ?? null } });
      sendJson(res, 500, { error: { message: `unexpected failure: ${(err as Error).message}` } });
    });
  });
  server.keepAliveTimeout = 5_000;
  const port = await bindFirstFree(server, host, options.port ?? DEFAULT_INSPECT_PORT, options.nextFreePort ?? false);
  hosts = allowedHosts(host, port);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    host,
    port,
    close: () =>
      (closing ??= new Promise<void>((done) => {
        liveFeed?.stop();
        for (const stream of streams) stream.end();
        server.close(() => {
          opened?.close();
          done();
        });
        server.closeAllConnections();
      })),
  };
}

async function bindFirstFree(server: Server, host: string, port: number, nextFree: boolean): Promise<number> {
  const tries = nextFree && port !== 0 ? [...Array.from({ length: PORTS_TRIED }, (_, i) => port + i), 0] : [port];
  for (const candidate of tries) {
    try {
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(candidate, host, () => {
          server.off('error', reject);
          resolveListen();
        });
      });
      return (server.address() as AddressInfo).port;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && candidate !== tries[tries.length - 1]) continue;
      throw inspectorListenError(err, host, candidate);
    }
  }
  throw new Error('unreachable');
}

function inspectorListenError(err: unknown, host: string, port: number): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? `port ${port} is already in use`
      : code === 'EACCES'
        ? `no permission to use port ${port}`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? `${host} is not an address of this machine`
          : (err as Error).message;
  return new UserError(`the inspector cannot listen on ${host}:${port}: ${why}`, {
    hint: 'pass --inspect with another port (e.g. --inspect 4041), or --no-inspect',
    cause: err,
  });
}

function optionalId(value: string | null): number | undefined {
  if (value === null || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

function checkedTarget(value: string): string {
  const url = parseHttpUrl(value);
  if (url instanceof URL) return url.href;
  throw new HttpProblem(
    400,
    `the target ${url.reason}`,
    url.suggestion ? `did you mean ${url.suggestion}?` : undefined,
  );
}

function checkedBody(text: unknown): Buffer {
  if (typeof text !== 'string') throw new HttpProblem(400, 'the body must be text');
  try {
    JSON.parse(text);
  } catch (err) {
    throw new HttpProblem(400, `the edited body is not valid JSON (${(err as Error).message})`, 'nothing was sent');
  }
  return Buffer.from(text, 'utf8');
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Edited headers, as node will send them: lower-case names, one-line values, no connection headers. */
function checkedHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    throw new HttpProblem(400, 'the headers must be an object of names and values');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (!HEADER_NAME.test(name)) throw new HttpProblem(400, `"${name}" is not a header name`);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value))
      throw new HttpProblem(400, `header ${name}: its value must be one line of text`);
    const lower = name.toLowerCase();
    // The connection's own headers are set as the request is sent.
    if (isHopByHop(lower) || lower === 'host') continue;
    out[lower] = value;
  }
  return out;
}

async function readJson<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new HttpProblem(413, 'the request is too large');
    chunks.push(chunk);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value as T;
  } catch {
    throw new HttpProblem(400, 'the request is not a JSON object');
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: PageAsset): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzipped() : asset.body;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': asset.type,
    'content-length': body.length,
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
