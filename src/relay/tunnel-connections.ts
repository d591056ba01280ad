/**
 * The relay's WebSocket side: which listener holds which channel on this instance. Admits or
 * refuses upgrades (admission.ts), attaches listeners (newest wins, here and across
 * instances), keeps them alive with pings, cuts off those whose key no longer admits them, and
 * hands their answers to the relay server. The HTTP side and the waiting senders are not here.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  BACKLOG_PARAM,
  CLOSE_KEY_REFUSED,
  CLOSE_REPLACED,
  CLOSE_TRY_AGAIN,
  decodeFrame,
  encodeFrame,
  type ResponseFrame,
} from '../tunnel/frame-codec.js';
import type { RelayAccess } from './admission.js';
import { admit, publicBase } from './admission.js';
import { type ChannelConnection, type Claim, isNewerClaim, RelayChannel } from './channel.js';
import type { RedisBridge } from './redis-bridge.js';
import { refuseUpgrade } from './relay-answers.js';
import type { RelayLogger, RelaySettings } from './relay-options.js';
import type { RepeatedWarnings } from './repeated-warnings.js';

/** Room for a frame's metadata on top of the body limit. */
const FRAME_OVERHEAD_BYTES = 64 * 1024;

export interface TunnelConnectionsOptions {
  settings: RelaySettings;
  access: RelayAccess | undefined;
  /** The Redis bridge, once connected (undefined without --redis). */
  bridge: () => RedisBridge | undefined;
  log: RelayLogger;
  /** For what a listener or a stranger can repeat at will. */
  repeated: RepeatedWarnings;
  /** A listener's answer frame (`raw`: its bytes as received). */
  answer: (channel: RelayChannel, frame: ResponseFrame, raw: Buffer) => void;
  /** The listener of `channel` left and did not come back within the grace period; requests are still in flight. */
  gone: (channel: RelayChannel) => void;
  /** A listener was greeted; `backlog`: what it asked of held deliveries (null: a listener that takes none). */
  listening?: (channel: RelayChannel, connection: ChannelConnection, backlog: string | null) => void;
}

export class TunnelConnections {
  readonly #channels = new Map<string, RelayChannel>();
  readonly wss: WebSocketServer;

  constructor(private readonly options: TunnelConnectionsOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.settings.maxBodyBytes + FRAME_OVERHEAD_BYTES,
      perMessageDeflate: false,
    });
  }

  get(channelId: string): RelayChannel | undefined {
    return this.#channels.get(channelId);
  }

  channels(): IterableIterator<RelayChannel> {
    return this.#channels.values();
  }

  stats(): { channels: number; connected: number } {
    let connected = 0;
    for (const channel of this.#channels.values()) if (channel.connection) connected += 1;
    return { channels: this.#channels.size, connected };
  }

  /** Bytes waiting in the listeners' WebSocket send buffers, over every channel. */
  queuedBytes(): number {
    let queued = 0;
    for (const channel of this.#channels.values()) queued += channel.queuedBytes;
    return queued;
  }

  /** Closes every tunnel (clients will reconnect elsewhere or later). */
  closeAll(): void {
    for (const channel of this.#channels.values()) {
      channel.stopGrace();
      channel.connection?.socket.close(1001, 'relay shutting down');
    }
  }

  terminateAll(): void {
    for (const client of this.wss.clients) client.terminate();
  }

  /**
   * Another instance accepted a listener for `channelId`: a connection here older than it gives
   * way. One still making its own claim decides once it has it (see `attach`): until then it
   * cannot know which is newer, and giving way blindly would let both connections lose.
   */
  claimedElsewhere(channelId: string, claim: Claim): void {
    const channel = this.#channels.get(channelId);
    if (!channel) return;
    if (!channel.claimElsewhere || isNewerClaim(claim, channel.claimElsewhere)) channel.claimElsewhere = claim;
    const connection = channel.connection;
    if (connection && (connection.claim === undefined || isNewerClaim(connection.claim, claim))) return;
    this.giveWay(channel);
  }

  /** The channel's listener here (if any) was replaced on another instance. */
  private giveWay(channel: RelayChannel): void {
    const connection = channel.connection;
    // Answers still due come through the new holder, routed by request id.
    channel.stopGrace();
    channel.inFlight.clear();
    channel.connection = undefined;
    if (connection) {
      this.options.log('warn', `channel ${channel.id}: a newer connection on another instance replaced this one`, {
        channel: channel.id,
      });
      connection.socket.close(CLOSE_REPLACED, 'replaced by a newer connection for this channel');
    }
    this.forgetIfIdle(channel);
  }

  upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const admission = admit(
      req,
      this.options.access,
      (sha256, except) => this.channelsHeldWith(sha256, except),
      this.options.settings.maxChannelsPerKey,
    );
    if (!admission.ok) {
      this.options.repeated.note(`refused ${admission.code}`, 'warn', admission.log, { refused: true });
      refuseUpgrade(socket, admission.status, admission.code, admission.message);
      return;
    }
    const backlog = new URL(req.url ?? '/', 'http://relay.invalid').searchParams.get(BACKLOG_PARAM);
    this.wss.handleUpgrade(
      req,
      socket,
      head,
      (ws) =>
        void this.attach(
          ws,
          admission.channel,
          admission.newToken,
          admission.key,
          publicBase(this.options.settings.publicUrl, req),
          backlog,
        ),
    );
  }

  private channelsHeldWith(sha256: string, except: string): number {
    let held = 0;
    for (const channel of this.#channels.values())
      if (channel.id !== except && channel.connection?.keySha256 === sha256) held += 1;
    return held;
  }

  private async attach(
    socket: WebSocket,
    channelId: string,
    newToken: string | undefined,
    key: { name: string; sha256: string } | undefined,
    publicBase: string,
    backlog: string | null = null,
  ): Promise<void> {
    const channel = this.channelFor(channelId);
    const previous = channel.connection;
    const connection: ChannelConnection = {
      socket,
      alive: true,
      keySha256: key?.sha256,
      keyName: key?.name,
      claim: undefined,
    };
    channel.connection = connection;
    channel.stopGrace();
    if (previous) {
      this.options.log('warn', `channel ${channelId}: a newer connection replaced the previous one`, {
        channel: channelId,
      });
      previous.socket.close(CLOSE_REPLACED, 'replaced by a newer connection for this channel');
    }
    this.options.log(
      'info',
      `channel ${channelId} connected${newToken ? ' (new channel)' : ''}${key ? ` with key "${key.name}"` : ''}`,
      { channel: channelId, connected: true, key: key?.name },
    );

    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      connection.alive = true;
      this.receive(channel, data, isBinary, connection);
    });
    socket.on('error', (err) => {
      this.options.log('warn', `channel ${channelId}: connection error: ${err.message}`, { channel: channelId });
    });
    socket.on('close', (code) => {
      connection.drain?.stop();
      if (channel.connection !== connection) return;
      channel.connection = undefined;
      this.options.log('info', `channel ${channelId} disconnected (code ${code})`, {
        channel: channelId,
        connected: false,
        code,
      });
      if (channel.inFlight.size > 0) {
        // Answers may still come over a reconnection (the client keeps unsent ones); give it a moment.
        channel.startGrace(this.options.settings.reconnectGraceMs, () => {
          if (!channel.connection) this.options.gone(channel);
          this.forgetIfIdle(channel);
        });
      }
      this.forgetIfIdle(channel);
    });

    // Reachable from every instance before the listener is told it is connected.
    const bridge = this.options.bridge();
    const stamp = bridge ? await bridge.hold(channelId) : 0n;
    connection.claim = { stamp, instance: bridge?.instance ?? '' };
    if (channel.connection !== connection) return;
    // A claim from elsewhere that came in meanwhile (0: Redis away, nothing to compare with).
    const elsewhere = channel.claimElsewhere;
    if (stamp > 0n && elsewhere && isNewerClaim(elsewhere, connection.claim)) {
      this.giveWay(channel);
      return;
    }
    socket.send(
      encodeFrame({
        kind: 'hello',
        channel: channelId,
        token: newToken,
        publicUrl: `${publicBase}/${channelId}`,
        pingIntervalMs: this.options.settings.pingIntervalMs,
        maxBodyBytes: this.options.settings.maxBodyBytes,
      }),
      { binary: true },
    );
    this.options.listening?.(channel, connection, backlog);
  }

  private receive(channel: RelayChannel, data: Buffer, isBinary: boolean, connection: ChannelConnection): void {
    const decoded = isBinary
      ? decodeFrame(data)
      : ({ ok: false, reason: 'text frame (the tunnel speaks binary frames)' } as const);
    if (decoded.ok && decoded.frame.kind === 'response') {
      this.options.answer(channel, decoded.frame, data);
      return;
    }
    if (decoded.ok && decoded.frame.kind === 'ack') {
      void connection.drain?.ack(decoded.frame.seqs);
      return;
    }
    const ignored = decoded.ok
      ? `unexpected ${decoded.frame.kind} frame ignored`
      : `malformed frame ignored: ${decoded.reason}`;
    this.options.repeated.note(`malformed ${channel.id}`, 'warn', `channel ${channel.id}: ${ignored}`, {
      channel: channel.id,
      malformed: true,
    });
  }

  /**
   * After the keys file changed: listeners whose key was revoked (or who have none, now that keys
   * are required) are cut off for good; while no key can be checked, every listener is cut off
   * and told to come back later.
   */
  dropRefusedListeners(): void {
    const access = this.options.access!;
    for (const channel of this.#channels.values()) {
      const connection = channel.connection;
      if (!connection || access.stillAdmits(connection.keySha256)) continue;
      if (access.closedBecause) {
        this.options.log('warn', `channel ${channel.id}: disconnecting its listener until relay keys can be checked`, {
          channel: channel.id,
          key: connection.keyName,
        });
        // A close reason has at most 123 bytes: the path stays in the log.
        connection.socket.close(CLOSE_TRY_AGAIN, 'the relay cannot check relay keys right now');
        continue;
      }
      const why = connection.keyName
        ? `relay key "${connection.keyName}" was revoked`
        : 'this relay now requires a key';
      this.options.log('warn', `channel ${channel.id}: ${why}; disconnecting its listener`, {
        channel: channel.id,
        key: connection.keyName,
      });
      connection.socket.close(CLOSE_KEY_REFUSED, why);
    }
  }

  /** Pings every listener, dropping one that missed the previous pong; forgets what expired by `now`. */
  pingAll(now: number): void {
    for (const channel of this.#channels.values()) {
      channel.pruneExpired(now);
      const connection = channel.connection;
      if (!connection) {
        this.forgetIfIdle(channel);
        continue;
      }
      if (!connection.alive) {
        this.options.log('warn', `channel ${channel.id}: no pong since the last ping, dropping the connection`, {
          channel: channel.id,
        });
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  private channelFor(id: string): RelayChannel {
    let channel = this.#channels.get(id);
    if (!channel) {
      channel = new RelayChannel(id);
      this.#channels.set(id, channel);
    }
    return channel;
  }

  forgetIfIdle(channel: RelayChannel): void {
    // Only this very object: a late callback of a forgotten channel must not drop its successor.
    if (!channel.idle || this.#channels.get(channel.id) !== channel) return;
    this.#channels.delete(channel.id);
    this.options.bridge()?.release(channel.id);
  }
}
