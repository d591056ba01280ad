/**
 * The senders waiting at this relay instance for a listener's answer, by request id, each with
 * a deadline. Answers are matched by id alone, whichever instance the listener's answer came
 * through, so a listener that reconnected elsewhere can still answer.
 */
import type http from 'node:http';

export interface PendingSender {
  res: http.ServerResponse;
  channel: string;
  method: string;
  /** Below the channel, for logs. */
  path: string;
  /** performance.now() when the request was read in full. */
  started: number;
}

interface Entry extends PendingSender {
  deadline: NodeJS.Timeout;
}

export class PendingSenders {
  readonly #byId = new Map<string, Entry>();
  readonly #perChannel = new Map<string, number>();

  get size(): number {
    return this.#byId.size;
  }

  countFor(channel: string): number {
    return this.#perChannel.get(channel) ?? 0;
  }

  /** `sender` waits for the answer to `id`; `onDeadline` runs if it is still waiting after `timeoutMs`. */
  add(id: string, sender: PendingSender, timeoutMs: number, onDeadline: () => void): void {
    this.#byId.set(id, { ...sender, deadline: setTimeout(onDeadline, timeoutMs) });
    this.#perChannel.set(sender.channel, this.countFor(sender.channel) + 1);
  }

  isWaiting(id: string, res: http.ServerResponse): boolean {
    return this.#byId.get(id)?.res === res;
  }

  /** The channel the sender waiting for `id` asked; undefined if none waits. */
  channelOf(id: string): string | undefined {
    return this.#byId.get(id)?.channel;
  }

  /** The sender waiting for `id`, no longer waiting (its deadline cleared); undefined if none. */
  take(id: string): PendingSender | undefined {
    const entry = this.#byId.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.deadline);
    this.#byId.delete(id);
    const left = this.countFor(entry.channel) - 1;
    if (left > 0) this.#perChannel.set(entry.channel, left);
    else this.#perChannel.delete(entry.channel);
    return entry;
  }

  /** Every waiting sender, none waiting any more. */
  takeAll(): PendingSender[] {
    return [...this.#byId.keys()].map((id) => this.take(id)!);
  }
}
