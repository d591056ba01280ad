/**
 * The tunnel's wire format: one binary WebSocket message per frame.
 *
 *   [1 byte kind][4 bytes big-endian meta length][meta: UTF-8 JSON object][body: raw bytes]
 *
 * Only the small metadata object is JSON; the HTTP body rides behind it untouched, so the bytes a
 * sender signed are the bytes the listener verifies (never parsed, never re-serialised, never
 * base64-inflated). Decoding never throws: a malformed frame comes back as `{ ok: false, reason }`.
 */

/** The relay's WebSocket endpoint. */
export const CONNECT_PATH = '/connect';
/** Close code sent to a connection that a newer one for the same channel replaced. */
export const CLOSE_REPLACED = 4000;
/** Close code sent to a connection whose relay key was revoked (or that has none, once keys are required). */
export const CLOSE_KEY_REFUSED = 4001;
/** Close code (RFC 6455 "Try Again Later") sent while the relay cannot check keys: the listener retries. */
export const CLOSE_TRY_AGAIN = 1013;
/** The handshake header a listener presents its relay key in (`rk_…`). */
export const RELAY_KEY_HEADER = 'x-relay-key';
/** The error code (and words) of a refused relay key, at the handshake or in a close frame's reason. */
export const KEY_REFUSED_CODE = 'relay_key_refused';
export const KEY_REFUSED_MESSAGE = 'the relay refused this key';

/**
 * The query parameter a listener that takes held deliveries adds to its connect URL: `all`,
 * `none`, or a number of milliseconds (only those held at most that long). A relay holds for a
 * listener without it (an older one) but drains nothing to it; an older relay ignores it.
 */
export const BACKLOG_PARAM = 'backlog';

/** Kinds 4–6 came with held deliveries; a peer that predates them ignores them (see BACKLOG_PARAM). */
export const FRAME_KIND = { hello: 1, request: 2, response: 3, held: 4, ack: 5, backlog: 6 } as const;

/** Relay → client, once per connection: which channel this is and where senders should post. */
export interface HelloFrame {
  kind: 'hello';
  channel: string;
  /** Only when the relay has just created the channel: the client must store it to come back. */
  token?: string;
  publicUrl: string;
  /** How often the relay pings; the client treats twice this much silence as a dead link. */
  pingIntervalMs: number;
  maxBodyBytes: number;
}

/** Relay → client: one HTTP request received at the channel's public URL. */
export interface RequestFrame {
  kind: 'request';
  id: string;
  method: string;
  /** Path and query below the channel, e.g. `/` or `/orders?x=1`. */
  path: string;
  headers: Record<string, string | string[]>;
  remoteAddress: string | null;
  /** How long the relay will wait for the answer; the client keeps an unsent answer that long. */
  timeoutMs: number;
  body: Buffer;
}

/** Client → relay: the answer to request `id`. */
export interface ResponseFrame {
  kind: 'response';
  id: string;
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Relay → client: a delivery the relay held while no listener was connected, sent in arrival
 * order. Not answered: the client acknowledges it (AckFrame) once it is recorded.
 */
export interface HeldFrame {
  kind: 'held';
  /** The hold store's sequence number, which the acknowledgement names. */
  seq: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  remoteAddress: string | null;
  /** When the relay received it (ms since the epoch). */
  receivedAt: number;
  /** How long the relay held it before sending it now. */
  heldMs: number;
  body: Buffer;
}

/** Client → relay: these held deliveries are in the history (or its spool); the relay forgets them. */
export interface AckFrame {
  kind: 'ack';
  seqs: string[];
}

/**
 * Relay → client: a backlog starts (`count` deliveries to come, the oldest held `oldestHeldMs`)
 * or is done (`delivered`, the longest held `maxHeldMs`); `skipped`: dropped at the listener's
 * `--backlog` choice.
 */
export interface BacklogFrame {
  kind: 'backlog';
  state: 'start' | 'done';
  count: number;
  skipped: number;
  oldestHeldMs?: number;
  delivered?: number;
  maxHeldMs?: number;
}

export type Frame = HelloFrame | RequestFrame | ResponseFrame | HeldFrame | AckFrame | BacklogFrame;

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; reason: string };

const PREFIX_BYTES = 5;
const KIND_NAMES: Record<number, Frame['kind']> = {
  1: 'hello',
  2: 'request',
  3: 'response',
  4: 'held',
  5: 'ack',
  6: 'backlog',
};

/** Encodes a frame as one binary message. */
export function encodeFrame(frame: Frame): Buffer {
  const { kind, body, ...fields } = frame as Frame & { body?: Buffer };
  const meta = Buffer.from(JSON.stringify(fields), 'utf8');
  const out = Buffer.allocUnsafe(PREFIX_BYTES + meta.length + (body?.length ?? 0));
  out.writeUInt8(FRAME_KIND[kind], 0);
  out.writeUInt32BE(meta.length, 1);
  meta.copy(out, PREFIX_BYTES);
  body?.copy(out, PREFIX_BYTES + meta.length);
  return out;
}

/** Decodes one binary message; the body is a view into `data`, not a copy. */
export function decodeFrame(data: Buffer): DecodeResult {
  if (data.length < PREFIX_BYTES)
    return fail(`frame of ${data.length} bytes is shorter than its ${PREFIX_BYTES}-byte prefix`);
  const kind = KIND_NAMES[data.readUInt8(0)];
  if (!kind) return fail(`unknown frame kind ${data.readUInt8(0)}`);
  const metaLength = data.readUInt32BE(1);
  if (metaLength > data.length - PREFIX_BYTES) return fail(`metadata length ${metaLength} exceeds the frame`);
  let meta: unknown;
  try {
    meta = JSON.parse(data.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + metaLength));
  } catch {
    return fail('metadata is not valid JSON');
  }
  if (!isObject(meta)) return fail('metadata is not a JSON object');
  const body = data.subarray(PREFIX_BYTES + metaLength);
  switch (kind) {
    case 'hello':
      return decodeHello(meta);
    case 'request':
      return decodeRequest(meta, body);
    case 'response':
      return decodeResponse(meta, body);
    case 'held':
      return decodeHeld(meta, body);
    case 'ack':
      return decodeAck(meta);
    case 'backlog':
      return decodeBacklog(meta);
  }
}

function decodeHello(m: Record<string, unknown>): DecodeResult {
  if (typeof m.channel !== 'string' || typeof m.publicUrl !== 'string')
    return fail('hello frame needs channel and publicUrl');
  if (m.token !== undefined && typeof m.token !== 'string') return fail('hello frame token must be a string');
  if (!isPositiveInteger(m.pingIntervalMs) || !isPositiveInteger(m.maxBodyBytes))
    return fail('hello frame needs pingIntervalMs and maxBodyBytes');
  return {
    ok: true,
    frame: {
      kind: 'hello',
      channel: m.channel,
      token: m.token,
      publicUrl: m.publicUrl,
      pingIntervalMs: m.pingIntervalMs,
      maxBodyBytes: m.maxBodyBytes,
    },
  };
}

function decodeRequest(m: Record<string, unknown>, body: Buffer): DecodeResult {
  if (!isId(m.id)) return fail(`request frame id must be ${ID_RULE}`);
  if (typeof m.method !== 'string' || !/^[A-Z]+$/i.test(m.method)) return fail('request frame needs an HTTP method');
  if (typeof m.path !== 'string' || !m.path.startsWith('/')) return fail('request frame path must start with /');
  if (!isHeaders(m.headers)) return fail('request frame headers must map names to strings or string arrays');
  if (m.remoteAddress !== null && typeof m.remoteAddress !== 'string')
    return fail('request frame remoteAddress must be a string or null');
  if (!isPositiveInteger(m.timeoutMs)) return fail('request frame needs timeoutMs');
  return {
    ok: true,
    frame: {
      kind: 'request',
      id: m.id,
      method: m.method,
      path: m.path,
      headers: m.headers,
      remoteAddress: m.remoteAddress,
      timeoutMs: m.timeoutMs,
      body,
    },
  };
}

function decodeResponse(m: Record<string, unknown>, body: Buffer): DecodeResult {
  if (!isId(m.id)) return fail(`response frame id must be ${ID_RULE}`);
  // Any integer: whether it is a status a sender may get is the relay's to decide (and to explain, with a 502).
  if (!Number.isInteger(m.status)) return fail('response frame status must be an integer');
  if (!isHeaders(m.headers)) return fail('response frame headers must map names to strings or string arrays');
  return { ok: true, frame: { kind: 'response', id: m.id, status: m.status as number, headers: m.headers, body } };
}

function decodeHeld(m: Record<string, unknown>, body: Buffer): DecodeResult {
  if (!isId(m.seq)) return fail('held frame needs a string seq');
  if (typeof m.method !== 'string' || !/^[A-Z]+$/i.test(m.method)) return fail('held frame needs an HTTP method');
  if (typeof m.path !== 'string' || !m.path.startsWith('/')) return fail('held frame path must start with /');
  if (!isHeaders(m.headers)) return fail('held frame headers must map names to strings or string arrays');
  if (m.remoteAddress !== null && typeof m.remoteAddress !== 'string')
    return fail('held frame remoteAddress must be a string or null');
  if (!isCount(m.receivedAt) || !isCount(m.heldMs)) return fail('held frame needs receivedAt and heldMs');
  return {
    ok: true,
    frame: {
      kind: 'held',
      seq: m.seq,
      method: m.method,
      path: m.path,
      headers: m.headers,
      remoteAddress: m.remoteAddress,
      receivedAt: m.receivedAt,
      heldMs: m.heldMs,
      body,
    },
  };
}

function decodeAck(m: Record<string, unknown>): DecodeResult {
  if (!Array.isArray(m.seqs) || !m.seqs.every(isId)) return fail('ack frame needs a list of string seqs');
  return { ok: true, frame: { kind: 'ack', seqs: m.seqs as string[] } };
}

function decodeBacklog(m: Record<string, unknown>): DecodeResult {
  if (m.state !== 'start' && m.state !== 'done') return fail('backlog frame state must be start or done');
  if (!isCount(m.count) || !isCount(m.skipped)) return fail('backlog frame needs count and skipped');
  const optional = ['oldestHeldMs', 'delivered', 'maxHeldMs'] as const;
  if (optional.some((name) => m[name] !== undefined && !isCount(m[name])))
    return fail('backlog frame times and counts must be whole numbers');
  return {
    ok: true,
    frame: {
      kind: 'backlog',
      state: m.state,
      count: m.count,
      skipped: m.skipped,
      oldestHeldMs: m.oldestHeldMs as number | undefined,
      delivered: m.delivered as number | undefined,
      maxHeldMs: m.maxHeldMs as number | undefined,
    },
  };
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Request ids are the relay's own (`<instance>-<counter>`); a listener echoes them back. Held to
 * that shape, an id from a listener can neither write a line of its own into a log nor end
 * early the Redis channel name it becomes part of (`relay:res:<id>:<channel>`).
 */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ID_RULE = '1 to 64 letters, digits, - or _';

function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isHeaders(value: unknown): value is Record<string, string | string[]> {
  if (!isObject(value)) return false;
  return Object.values(value).every(
    (v) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
  );
}
