/**
 * One channel on the relay: the WebSocket of the listener holding it (when connected) and the
 * senders waiting for that listener's answers, each with a deadline. No HTTP parsing and no
 * authentication here; the relay server does those and decides what each sender is told.
 */
import type http from 'node:http';
import type { WebSocket } from 'ws';

export interface ChannelConnection {
  socket: WebSocket;
  /** Cleared at each ping, set by the pong (or any message); still clear at the next ping = dead. */
  alive: boolean;
}

export interface WaitingSender {
  res: http.ServerResponse;
  method: string;
  /** Below the channel, for logs. */
  path: string;
  started: number;
}

interface Waiting extends WaitingSender {
  deadline: NodeJS.Timeout;
}

export class RelayChannel {
  connection: ChannelConnection | undefined;
  readonly #waiting = new Map<string, Waiting>();
  #grace: NodeJS.Timeout | undefined;

  constructor(readonly id: string) {}

  get waitingCount(): number {
    return this.#waiting.size;
  }

  /** Nothing connected, nobody waiting, no grace period running: the relay may forget the channel. */
  get idle(): boolean {
    return !this.connection && this.#waiting.size === 0 && !this.#grace;
  }

  /** A sender now waits for the answer to request `id`; `onDeadline` runs if none comes in `timeoutMs`. */
  wait(id: string, sender: WaitingSender, timeoutMs: number, onDeadline: () => void): void {
    this.#waiting.set(id, { ...sender, deadline: setTimeout(onDeadline, timeoutMs) });
  }

  isWaiting(id: string, res: http.ServerResponse): boolean {
    return this.#waiting.get(id)?.res === res;
  }

  /** The sender waiting for `id`, no longer waiting (its deadline cleared); undefined if none. */
  take(id: string): WaitingSender | undefined {
    const waiting = this.#waiting.get(id);
    if (!waiting) return undefined;
    clearTimeout(waiting.deadline);
    this.#waiting.delete(id);
    return waiting;
  }

  /** Every waiting sender, none waiting any more. */
  takeAll(): WaitingSender[] {
    return [...this.#waiting.keys()].map((id) => this.take(id)!);
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
