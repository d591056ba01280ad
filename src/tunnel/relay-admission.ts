/**
 * Whether a WebSocket upgrade may open a channel: the right path, the channel's own token (or
 * none, to get a new channel), a live relay key when the relay has keys, and room under
 * `--max-channels-per-key`. Decides only; the relay server refuses or attaches.
 */
import type http from 'node:http';
import { channelIdForToken, isWellFormedChannelId, newChannelToken, tokenOpensChannel } from './channel-token.js';
import { CONNECT_PATH, KEY_REFUSED_CODE, KEY_REFUSED_MESSAGE, RELAY_KEY_HEADER } from './frame-codec.js';
import type { AccessVerdict, RelayAccess } from './relay-access.js';

export type Admission =
  | { ok: true; channel: string; newToken?: string; key?: { name: string; sha256: string } }
  | { ok: false; status: 401 | 403 | 404; code: string; message: string; log: string };

export function admit(req: http.IncomingMessage, access: RelayAccess | undefined, channelsHeldWith: (sha256: string, except: string) => number, maxChannelsPerKey: number): Admission {
  const url = new URL(req.url ?? '/', 'http://relay.invalid');
  if (url.pathname !== CONNECT_PATH) return { ok: false, status: 404, code: 'not_found', message: `WebSocket clients connect to ${CONNECT_PATH}`, log: `upgrade to ${url.pathname} refused` };
  const requested = url.searchParams.get('channel');
  const token = bearerToken(req.headers.authorization);
  const shown = requested && isWellFormedChannelId(requested) ? requested : '(new)';

  const header = req.headers[RELAY_KEY_HEADER];
  const verdict: AccessVerdict = access ? access.check(typeof header === 'string' ? header.trim() : undefined) : { ok: true };
  if (!verdict.ok) {
    return { ok: false, status: 401, code: KEY_REFUSED_CODE, message: KEY_REFUSED_MESSAGE, log: `connection refused for channel ${shown}: ${verdict.reason === 'missing' ? 'no relay key' : `${verdict.reason} relay key`}` };
  }

  let channel: string;
  let newToken: string | undefined;
  if (requested === null && token === undefined) {
    newToken = newChannelToken();
    channel = channelIdForToken(newToken);
  } else if (requested !== null && token !== undefined && tokenOpensChannel(token, requested)) {
    channel = requested;
  } else {
    return { ok: false, status: 401, code: 'unauthorized', message: 'this token does not open that channel', log: `connection refused for channel ${shown}: ${token === undefined ? 'no token' : 'wrong token'}` };
  }

  if (verdict.key && channelsHeldWith(verdict.key.sha256, channel) >= maxChannelsPerKey) {
    return {
      ok: false,
      status: 403,
      code: 'too_many_channels',
      message: `key "${verdict.key.name}" already holds ${maxChannelsPerKey} channels on this relay (--max-channels-per-key); stop a listener or ask the operator for another key`,
      log: `connection refused for channel ${shown}: key "${verdict.key.name}" is at its ${maxChannelsPerKey} channels`,
    };
  }
  return { ok: true, channel, newToken, key: verdict.key };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? match[1] : undefined;
}

/** Where senders reach this relay: `--public-url`, else the address the client itself used (behind a TLS proxy, https). */
export function publicBase(configured: string | undefined, req: http.IncomingMessage): string {
  if (configured) return configured.replace(/\/+$/, '');
  const scheme = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${scheme}://${req.headers.host ?? 'localhost'}`;
}
