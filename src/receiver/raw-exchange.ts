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
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type RequestHandler = (request: RawRequest) => Promise<RawResponse>;
