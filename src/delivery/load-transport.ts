/**
 * How a load run puts its requests on the wire. A run of a handful of deliveries goes through
 * node:http (http-sender.ts), which costs nothing to load; a real load run through undici's pooled
 * client (pooled-transport.ts), imported only then: it keeps a fixed set of keep-alive connections
 * busy with far less work per request than node:http's client.
 */
import { setMaxListeners } from 'node:events';
import { agentFor } from '../http/node-agent.js';
import { type SendResult, sendRequest } from './http-sender.js';

export interface LoadRequest {
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface LoadTransport {
  /** Sends one request; `done` is called once, with what happened (never an exception). */
  send(request: LoadRequest, done: (result: SendResult) => void): void;
  /** Ends every request in flight at once; each reports the error "interrupted". */
  interruptAll(): void;
  close(): Promise<void>;
}

export interface TransportOptions {
  url: string;
  /** Connections to keep: the most requests in flight at once. */
  connections: number;
  timeoutMs: number;
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the requests. */
  env: NodeJS.ProcessEnv;
}

/** Runs of at most this many deliveries go through node:http, so they load no more than one `trigger` does. */
export const HANDFUL = 16;

/** The transport for a run: node:http for a handful of deliveries, undici's pool for more. */
export async function loadTransport(options: TransportOptions, handful: boolean): Promise<LoadTransport> {
  if (handful) return nodeTransport(options);
  const { pooledTransport } = await import('./pooled-transport.js');
  return pooledTransport(options);
}

async function nodeTransport({ url, connections, timeoutMs, env }: TransportOptions): Promise<LoadTransport> {
  const route = await agentFor(url, env, { keepAlive: true, maxSockets: connections });
  const cutOff = new AbortController();
  // Every request in flight listens for it.
  setMaxListeners(connections + 1, cutOff.signal);
  return {
    send: (request, done) =>
      void sendRequest({
        url,
        ...request,
        timeoutMs,
        agent: route.agent,
        proxy: route.proxy,
        signal: cutOff.signal,
      }).then(done),
    interruptAll: () => cutOff.abort(),
    close: async () => route.agent.destroy(),
  };
}
