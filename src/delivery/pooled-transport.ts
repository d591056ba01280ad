/**
 * A load run's requests through undici's pooled client: `connections` keep-alive connections to
 * the receiver (through the forward proxy HTTP_PROXY / NO_PROXY name, http/outgoing-dispatcher.ts),
 * each request dispatched with a handler of our own rather than a response stream, so an answer
 * costs a few small objects. One deadline covers the whole exchange, as the platform's timeout
 * does; since every request has the same timeout, the ones in flight expire in the order they
 * went out, and a single timer watches the oldest.
 */
import { type Dispatcher, util } from 'undici';
import { describeNetworkError } from '../core/network-error.js';
import { outgoingDispatcher } from '../http/outgoing-dispatcher.js';
import { proxyFault, proxyFor, proxyProblemLine, proxySettings } from '../http/proxy-settings.js';
import { MAX_RESPONSE_BYTES, type SendResult } from './http-sender.js';
import type { LoadRequest, LoadTransport, TransportOptions } from './load-transport.js';

export function pooledTransport({ url, connections, timeoutMs, env }: TransportOptions): LoadTransport {
  const target = new URL(url);
  const path = `${target.pathname}${target.search}`;
  const origin = target.origin;
  const proxy = proxyFor(target, proxySettings(env));
  const dispatcher = outgoingDispatcher(env, {
    connections,
    pipelining: 1,
    connect: { timeout: timeoutMs },
    // The deadline below is the whole exchange's; undici's own would only cut it shorter.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  /** In the order they went out, which is the order their deadlines come. */
  const inFlight = new Set<Exchange>();
  let timer: NodeJS.Timeout | undefined;

  const expire = () => {
    timer = undefined;
    const now = performance.now();
    for (const exchange of inFlight) {
      if (exchange.deadline > now) {
        timer = setTimeout(expire, exchange.deadline - now + 1);
        return;
      }
      exchange.end({
        error: `no answer from ${target.host} within ${timeoutMs} ms — make the receiver answer faster, or raise --timeout`,
        errorCode: 'timeout',
      });
    }
  };

  class Exchange implements Dispatcher.DispatchHandler {
    readonly started = performance.now();
    readonly deadline = this.started + timeoutMs;
    readonly #done: (result: SendResult) => void;
    #abort: ((err?: Error) => void) | undefined;
    #ended = false;
    #status = 0;
    #headers: Buffer[] | undefined;
    #chunks: Buffer[] = [];
    #size = 0;

    constructor(done: (result: SendResult) => void) {
      this.#done = done;
    }

    /** Reports `result` (the first call wins) and lets go of the connection if it is still busy. */
    end(result: Omit<SendResult, 'durationMs'>): void {
      if (this.#ended) return;
      this.#ended = true;
      inFlight.delete(this);
      this.#abort?.(abortedByUs);
      const answer = result as SendResult;
      answer.durationMs = Math.round((performance.now() - this.started) * 100) / 100;
      if (proxy) answer.proxy = proxy;
      this.#done(answer);
    }

    onConnect(abort: (err?: Error) => void): void {
      if (this.#ended) abort(abortedByUs);
      else this.#abort = abort;
    }

    onHeaders(status: number, headers: Buffer[]): boolean {
      this.#status = status;
      this.#headers = headers;
      return true;
    }

    onData(chunk: Buffer): boolean {
      if (this.#size < MAX_RESPONSE_BYTES) this.#chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - this.#size));
      this.#size += chunk.length;
      return true;
    }

    onComplete(): void {
      this.#abort = undefined;
      const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
      this.end({
        status: this.#status,
        headers: util.parseHeaders(this.#headers ?? []) as SendResult['headers'],
        body,
        bodyTruncated: this.#size > MAX_RESPONSE_BYTES,
      });
    }

    onError(err: Error): void {
      this.#abort = undefined;
      if (this.#ended) return;
      const fault = proxy && proxyFault(err);
      if (fault) this.end({ error: proxyProblemLine(proxy, target, fault), errorCode: 'proxy' });
      else this.end(describeNetworkError(asNetworkError(err), target, 'the receiver'));
    }
  }

  return {
    send(request: LoadRequest, done: (result: SendResult) => void): void {
      const exchange = new Exchange(done);
      inFlight.add(exchange);
      timer ??= setTimeout(expire, timeoutMs + 1);
      dispatcher.dispatch(
        { origin, path, method: 'POST', headers: request.headers as Record<string, string>, body: request.body },
        exchange,
      );
    },
    interruptAll(): void {
      for (const exchange of inFlight) exchange.end({ error: 'interrupted', errorCode: 'interrupted' });
    },
    async close(): Promise<void> {
      clearTimeout(timer);
      await dispatcher.destroy().catch(() => undefined);
    },
  };
}

/** What `end` aborts a request with: its result is already reported. */
const abortedByUs = new Error('ended by the load run');

/** undici's errors as node:http's, so one function words them: a socket closed early is a reset. */
function asNetworkError(err: Error): NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return Object.assign(err, { code: 'ECONNRESET' });
  // node:http reports OpenSSL's errors as EPROTO; a socket of undici's by OpenSSL's own code.
  if (code?.startsWith('ERR_SSL_')) return Object.assign(err, { code: 'EPROTO' });
  if (code && code !== e.code) return Object.assign(err, { code });
  return e;
}
