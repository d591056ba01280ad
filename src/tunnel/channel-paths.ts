/**
 * The small, pure rules of passing HTTP through the tunnel: how a public URL names its channel,
 * where a tunnelled path lands on the listener, and what relay URL a client connects to. (Which
 * headers are passed on is `endToEndHeaders` in core/http-headers.)
 */
import { CONNECT_PATH } from './frame-codec.js';

export interface ChannelPath {
  channel: string;
  /** What follows the channel id, always starting with `/`, query included. */
  rest: string;
}

/** `/ch_abc/orders?x=1` → `{ channel: 'ch_abc', rest: '/orders?x=1' }`; undefined when no channel is named. */
export function splitChannelPath(requestUrl: string): ChannelPath | undefined {
  const match = /^\/(ch_[A-Za-z0-9_-]{22})(\/[^?#]*)?(\?[^#]*)?$/.exec(requestUrl);
  if (!match) return undefined;
  return { channel: match[1]!, rest: (match[2] ?? '/') + (match[3] ?? '') };
}

/**
 * Where a tunnelled request lands on the listener: the channel's root is the listener's path
 * (so the public URL alone reaches `--path /webhook`), deeper paths are appended to it.
 */
export function localPathFor(rest: string, localPath = '/'): string {
  const queryAt = rest.indexOf('?');
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rest.slice(queryAt);
  const base = localPath.endsWith('/') ? localPath.slice(0, -1) : localPath;
  if (path === '/' || path === '') return (base || '/') + query;
  return base + path + query;
}

/** `ws://host:port` → `ws://host:port/connect`; `http(s)` becomes `ws(s)`. Throws on anything else. */
export function normaliseRelayUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new TypeError(`relay URL must start with ws:// or wss:// (got ${url.protocol})`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = CONNECT_PATH;
  return url.toString();
}
