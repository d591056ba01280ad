/**
 * The emulator in one piece: its store, the delivery engine and the HTTP API, started and
 * stopped together. Used by `serve` and by the benchmark.
 */
import { dirname, join } from 'node:path';
import { listenError } from '../errors.js';
import { USER_AGENT } from '../version.js';
import { ApiServer, type ApiServerOptions } from './api-server.js';
import { DeliveryEngine, type EngineOptions } from './delivery-engine.js';
import { EmulatorStore } from './emulator-store.js';
import { WebhookService } from './webhook-service.js';

export interface EmulatorOptions {
  statePath: string;
  port: number;
  host: string;
  token?: string;
  timeScale: number;
  /** Whole-request deadline for API clients (default 30 s). */
  requestTimeoutMs?: number;
  concurrency?: number;
  onAttempt?: EngineOptions['onAttempt'];
  faults?: EngineOptions['faults'];
  onRequest?: ApiServerOptions['onRequest'];
  /** Host names answered besides loopback ones (`--allow-host`; see http/host-check.ts). */
  allowedHosts?: readonly string[];
  /** The environment whose proxy settings route the deliveries. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningEmulator {
  url: string;
  store: EmulatorStore;
  engine: DeliveryEngine;
  service: WebhookService;
  /** Stops the API, lets attempts in flight finish (briefly), and closes the store. */
  close(): Promise<void>;
}

/** Where `serve` keeps its state by default: `emulator.db` beside the history database. */
export function defaultStatePath(historyDbPath: string): string {
  return join(dirname(historyDbPath), 'emulator.db');
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const store = EmulatorStore.open(options.statePath);
  const engine = new DeliveryEngine(store, {
    timeScale: options.timeScale,
    userAgent: USER_AGENT,
    concurrency: options.concurrency,
    onAttempt: options.onAttempt,
    faults: options.faults,
    env: options.env,
  });
  const service = new WebhookService(store, engine);
  const server = new ApiServer(service, {
    token: options.token,
    onRequest: options.onRequest,
    requestTimeoutMs: options.requestTimeoutMs,
    allowedHosts: options.allowedHosts,
  });
  let url: string;
  try {
    url = await server.listen(options.port, options.host);
  } catch (err) {
    store.close();
    throw listenError(err, options.host, options.port);
  }
  engine.start();
  return {
    url,
    store,
    engine,
    service,
    async close() {
      await server.close();
      await engine.stop();
      store.close();
    },
  };
}
