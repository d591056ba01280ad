/**
 * Bodies read within a limit, in one place for every server and client of the tool: a request
 * body refused the moment it is over (listen's receiver, the relay, the emulator's API), and an
 * answer body of which the first bytes are kept (the sender, the emulator's attempts, the
 * forwarder).
 */
import type { IncomingMessage } from 'node:http';

/** The first `limit` bytes of a body that arrives in chunks, and whether more came. */
export class BodyPrefix {
  readonly #chunks: Buffer[] = [];
  #size = 0;

  constructor(readonly limit: number) {}

  add(chunk: Buffer): void {
    if (this.#size < this.limit) {
      this.#chunks.push(this.#size + chunk.length <= this.limit ? chunk : chunk.subarray(0, this.limit - this.#size));
    }
    this.#size += chunk.length;
  }

  /** Every byte seen, kept or not. */
  get size(): number {
    return this.#size;
  }

  /** Whether the body was longer than the limit (so `bytes` is only its beginning). */
  get truncated(): boolean {
    return this.#size > this.limit;
  }

  get bytes(): Buffer {
    // One chunk is the common case for a webhook: no copy.
    return this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
  }
}

export interface LimitedBodyHandlers {
  /** The whole body, within the limit. */
  complete(body: Buffer): void;
  /**
   * Over the limit: `declared` is a Content-Length over it (known before any byte is read), null
   * when the bytes themselves went over. Called once; nothing else is called after it.
   */
  tooLarge(declared: number | null): void;
}

/** Reads `req`'s body up to `maxBytes` and says which way it went; a stream error ends it quietly. */
export function readLimitedBody(req: IncomingMessage, maxBytes: number, on: LimitedBodyHandlers): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    on.tooLarge(declared);
    return;
  }
  // Let go once read: the request stays referenced while an answer is awaited (the relay's
  // senders wait for a listener), and with it these listeners and whatever they still hold.
  let body: BodyPrefix | undefined = new BodyPrefix(maxBytes);
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over || !body) return;
    body.add(chunk);
    if (body.truncated) {
      over = true;
      body = undefined;
      on.tooLarge(null);
    }
  });
  req.on('end', () => {
    if (over || !body) return;
    const bytes = body.bytes;
    body = undefined;
    on.complete(bytes);
  });
  req.on('error', () => {
    over = true;
  });
}
