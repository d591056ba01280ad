/**
 * `listen --relay`: connects a running listener to a relay. Tunnelled requests go to the
 * listener's own handler (verified, recorded, forwarded like local ones); the connection state
 * and public URL go to the listener's header info; the channel is reused from the channel store.
 */
import { redactUrl } from '../core/redact.js';
import { clockTime, formatLimit } from '../format/display.js';
import { proxyAgentFor } from '../http/node-agent.js';
import type { Listener, ListenerInfo } from '../receiver/index.js';
import { KEY_REFUSED_CODE } from './frame-codec.js';
import { ChannelStore, channelEntryName, channelStorePath } from './saved-channels.js';
import { type BacklogProgress, TunnelClient, type TunnelEnd, type TunnelStatus } from './tunnel-client.js';

export interface ListenTunnel {
  /** Settles when the tunnel ends for good: `refused`/`replaced` carry a message and a next step. */
  readonly ended: Promise<TunnelEnd & { hint?: string }>;
  /** Lets requests in flight finish, then closes the tunnel. */
  stop(): Promise<void>;
}

export interface ListenTunnelOptions {
  /** Already checked with `normaliseRelayUrl`. */
  relayUrl: string;
  /** `--relay-key`: the relay's access key. */
  relayKey?: string;
  /** `--relay-channel NAME`: one of several channels kept for this relay URL (default: the unnamed one). */
  channelName?: string;
  /** `--backlog`: which of the deliveries the relay held to take (default all). */
  backlog?: 'all' | 'none' | number;
  store?: ChannelStore;
  onWarning?: (message: string) => void;
  /**
   * The run's environment: where the channel is remembered (the config directory), and whether
   * the WebSocket goes through a proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY, with CONNECT).
   */
  env: NodeJS.ProcessEnv;
}

export async function connectListenerToRelay(listener: Listener, options: ListenTunnelOptions): Promise<ListenTunnel> {
  const store = options.store ?? new ChannelStore(channelStorePath(options.env));
  const entry = channelEntryName(options.relayUrl, options.channelName);
  const routed = await proxyAgentFor(new URL(options.relayUrl), options.env, { keepAlive: false });
  const client = new TunnelClient({
    proxy: routed && { agent: routed.agent, route: routed.proxy },
    relayUrl: options.relayUrl,
    relayKey: options.relayKey,
    handler: listener.handler,
    localPath: listener.path,
    credentials: store.load(entry),
    onCredentials: (credentials) => {
      try {
        store.save(entry, credentials);
      } catch (err) {
        options.onWarning?.(`${(err as Error).message}; the next start will get a new public URL`);
      }
    },
    onStatus: (status) => listener.setInfo({ relay: headerState(status) }),
    onWarning: options.onWarning,
    backlog: {
      take: options.backlog ?? 'all',
      handler: listener.handleHeld,
      onProgress: (progress) => listener.setInfo({ backlog: backlogState(progress) }),
    },
  });
  listener.setInfo({ relay: headerState(client.status()) });
  client.start();
  const ended = client.done.then((end) => {
    if (end.reason === 'refused' && end.code === KEY_REFUSED_CODE)
      return { ...end, hint: 'ask its operator for one (`webhooks-cli relay keys add NAME` on the relay host)' };
    if (end.reason === 'refused' && end.code === 'too_many_channels')
      return {
        ...end,
        hint: 'stop another listener that uses this key, or ask the relay operator for a key of its own',
      };
    if (end.reason === 'refused')
      return {
        ...end,
        hint: `remove the entry for ${redactUrl(entry)} from ${store.path} to get a new channel (its public URL changes)`,
      };
    if (end.reason === 'replaced')
      return {
        ...end,
        hint: `another listen --relay with the same config directory${options.channelName ? ` and --relay-channel ${options.channelName}` : ''} took the channel; stop one of them, or give each its own --relay-channel NAME`,
      };
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
      const retry =
        wait === undefined
          ? ''
          : wait === 0
            ? ', retrying now'
            : `, retrying in ${formatLimit(wait)}${wait >= 1000 ? ` at ${clockTime(now + wait)}` : ''}`;
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

/** A backlog frame in the words of the listener's info. */
export function backlogState(progress: BacklogProgress): NonNullable<ListenerInfo['backlog']> {
  return progress.state === 'start'
    ? { state: 'catching-up', count: progress.count, skipped: progress.skipped, oldestHeldMs: progress.oldestHeldMs }
    : {
        state: 'caught-up',
        count: progress.delivered ?? progress.count,
        skipped: progress.skipped,
        maxHeldMs: progress.maxHeldMs,
      };
}
