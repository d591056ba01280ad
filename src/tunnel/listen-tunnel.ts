/**
 * `listen --relay`: connects a running listener to a relay. Tunnelled requests go to the
 * listener's own handler (verified, recorded, forwarded like local ones); the connection state
 * and public URL go to the listener's header info; the channel is reused from the channel store.
 */
import { redactUrl } from '../core/redact.js';
import { clockTime } from '../format/display.js';
import type { Listener, ListenerInfo } from '../receiver/index.js';
import { ChannelStore } from './channel-store.js';
import { TunnelClient, type TunnelEnd, type TunnelStatus } from './tunnel-client.js';

export interface ListenTunnel {
  /** Settles when the tunnel ends for good: `refused`/`replaced` carry a message and a next step. */
  readonly ended: Promise<TunnelEnd & { hint?: string }>;
  /** Lets requests in flight finish, then closes the tunnel. */
  stop(): Promise<void>;
}

export interface ListenTunnelOptions {
  /** Already checked with `normaliseRelayUrl`. */
  relayUrl: string;
  store?: ChannelStore;
  onWarning?: (message: string) => void;
}

export function connectListenerToRelay(listener: Listener, options: ListenTunnelOptions): ListenTunnel {
  const store = options.store ?? new ChannelStore();
  const client = new TunnelClient({
    relayUrl: options.relayUrl,
    handler: listener.handler,
    localPath: listener.path,
    credentials: store.load(options.relayUrl),
    onCredentials: (credentials) => {
      try {
        store.save(options.relayUrl, credentials);
      } catch (err) {
        options.onWarning?.(`${(err as Error).message}; the next start will get a new public URL`);
      }
    },
    onStatus: (status) => listener.setInfo({ relay: headerState(status) }),
    onWarning: options.onWarning,
  });
  listener.setInfo({ relay: headerState(client.status()) });
  client.start();
  const ended = client.done.then((end) => {
    if (end.reason === 'refused') return { ...end, hint: `remove the entry for ${redactUrl(options.relayUrl)} from ${store.path} to get a new channel (its public URL changes)` };
    if (end.reason === 'replaced') return { ...end, hint: 'another listen --relay with the same config directory took the channel; stop one of them' };
    return end;
  });
  return { ended, stop: () => client.stop() };
}

/**
 * The tunnel's state in the words of the listener's header (and of `listen`'s stderr lines).
 * While reconnecting it names the reason, when the next try is (as a clock time, so a header
 * drawn once stays true) and how many tries failed, so each retry reads as news.
 */
export function headerState(status: TunnelStatus, now = Date.now()): NonNullable<ListenerInfo['relay']> {
  const base = { publicUrl: status.publicUrl };
  switch (status.state) {
    case 'connecting':
    case 'connected':
      return { ...base, state: status.state };
    case 'reconnecting': {
      const wait = status.retryInMs;
      const retry = wait === undefined ? '' : wait === 0 ? ', retrying now' : `, retrying in ${formatSeconds(wait)}${wait >= 1000 ? ` at ${clockTime(now + wait)}` : ''}`;
      const failed = status.attempts > 1 ? ` (${status.attempts} tries failed)` : '';
      return { ...base, state: 'reconnecting', message: `${status.error ?? 'connection lost'}${retry}${failed}` };
    }
    case 'refused':
    case 'replaced':
      return { ...base, state: 'disconnected', message: status.error };
    case 'stopped':
      return { ...base, state: 'disconnected', message: 'stopped' };
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
