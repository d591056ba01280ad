/**
 * One channel this relay instance holds: the WebSocket of the listener connected to it and the
 * ids of the requests sent down to that listener and not answered yet (their senders may wait on
 * this instance or on another one). No HTTP parsing and no authentication here.
 */
import type { WebSocket } from 'ws';

export interface ChannelConnection {
  socket: WebSocket;
  /** Cleared at each ping, set by the pong (or any message); still clear at the next ping = dead. */
  alive: boolean;
  /** SHA-256 of the relay key it was admitted with; undefined on an open relay. */
  keySha256?: string;
  keyName?: string;
  /** When it was accepted, so the newest wins across instances; undefined while that is being asked of Redis. */
  claim: Claim | undefined;
  /** Hands this listener its channel's held deliveries (backlog-drain.ts), when it takes them. */
  drain?: { ack(seqs: readonly string[]): unknown; poke(): unknown; stop(): void };
}

/** A connection's claim on a channel: the Redis server's time (µs) and the instance that accepted it. */
export interface Claim {
  stamp: bigint;
  instance: string;
}

/** Whether claim `a` is newer than `b`: the later time, the instance id breaking a tie, so two instances always agree. */
export function isNewerClaim(a: Claim, b: Claim): boolean {
  return a.stamp !== b.stamp ? a.stamp > b.stamp : a.instance > b.instance;
}

/** What became of a request frame handed to `RelayChannel.sendRequest`. */
export type SendOutcome = 'sent' | 'no listener' | 'backlogged';

export class RelayChannel {
  connection: ChannelConnection | undefined;
  /** Request id → when its sender stops waiting (ms since the epoch). */
  readonly inFlight = new Map<string, number>();
  /** The newest claim on this channel announced by another instance, for a connection here still making its own. */
  claimElsewhere: Claim | undefined;
  #grace: NodeJS.Timeout | undefined;

  constructor(readonly id: string) {}

  /** Nothing connected, nothing in flight, no grace period running: the relay may forget the channel. */
  get idle(): boolean {
    return !this.connection && this.inFlight.size === 0 && !this.#grace;
  }

  /** Bytes sent to the listener that its connection has not taken yet (the WebSocket's send buffer). */
  get queuedBytes(): number {
    return this.connection?.socket.bufferedAmount ?? 0;
  }

  /**
   * Sends request frame `id` down to the listener, in flight until `expiresAt`. Refused when
   * `maxQueuedBytes` would be exceeded (a listener that stops reading must not make the relay
   * keep every request sent to it; one frame always goes while nothing waits, whatever its size).
   * `onBroken` runs if the connection fails while sending.
   */
  sendRequest(id: string, frame: Buffer, expiresAt: number, maxQueuedBytes: number, onBroken: () => void): SendOutcome {
    const connection = this.connection;
    if (!connection) return 'no listener';
    const queued = this.queuedBytes;
    if (queued > 0 && queued + frame.length > maxQueuedBytes) return 'backlogged';
    this.inFlight.set(id, expiresAt);
    connection.socket.send(frame, { binary: true }, (err) => {
      if (err && this.inFlight.delete(id)) onBroken();
    });
    return 'sent';
  }

  /** Drops the ids whose senders have stopped waiting by `now`. */
  pruneExpired(now: number): void {
    for (const [id, expiresAt] of this.inFlight) if (expiresAt <= now) this.inFlight.delete(id);
  }

  /** After the listener dropped: `onExpired` runs unless `stopGrace` (a reconnection) comes first. */
  startGrace(ms: number, onExpired: () => void): void {
    this.stopGrace();
    this.#grace = setTimeout(() => {
      this.#grace = undefined;
      onExpired();
    }, ms);
  }

  stopGrace(): void {
    clearTimeout(this.#grace);
    this.#grace = undefined;
  }
}
