/**
 * A received HTTP request and its answer as plain data, independent of the transport: the local
 * receiver (node:http) and the tunnel client (WebSocket frames) both hand requests to the same
 * `RequestHandler`, so a tunnelled webhook is verified, recorded and forwarded like a local one.
 */

export interface RawRequest {
  method: string;
  /** Path and query, e.g. `/webhook?x=1`. */
  path: string;
  /** Lower-case names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received; never parsed and re-serialised. */
  body: Buffer;
  remoteAddress: string | null;
  via: 'local' | 'relay';
  /** A delivery a relay held while no listener was connected: when it arrived there, and for how long it was held. */
  held?: { receivedAt: number; heldMs: number };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type RequestHandler = (request: RawRequest) => Promise<RawResponse>;

/**
 * Takes a delivery a relay held (`request.held` set): resolves once it is handled, in turn, with
 * a promise that settles once it is in the history (or its spool) — the moment the relay may
 * forget it. A delivery id already in the history is not recorded again.
 */
export type HeldHandler = (request: RawRequest) => Promise<{ recorded: Promise<void> }>;
