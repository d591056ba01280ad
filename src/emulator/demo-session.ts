/**
 * `demo`: the emulator and a listener in one process, wired through the real API — the
 * listener is registered as a webhook over HTTP, and every event type is emitted through the
 * delivery engine, signed, to the listener that verifies it. Nothing here prints.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformClient } from '../api/platform-client.js';
import { EVENT_TYPES } from '../core/events.js';
import { type Listener, startListener } from '../receiver/index.js';
import { type RunningEmulator, startEmulator } from './emulator.js';

export interface DemoSession {
  emulator: RunningEmulator;
  listener: Listener;
  webhookId: string;
  /** Emits each of the 16 event types once through the API; resolves with the delivery ids. */
  emitAll(): Promise<string[]>;
  close(): Promise<void>;
}

export interface DemoOptions {
  /** The history database the listener records into. */
  dbPath: string;
  secret: string;
}

export async function startDemo({ dbPath, secret }: DemoOptions): Promise<DemoSession> {
  // The emulator's state is throw-away: a temporary folder, removed on close.
  const stateDir = mkdtempSync(join(tmpdir(), 'webhooks-cli-demo-'));
  const token = `demo_${randomBytes(8).toString('hex')}`;
  const closers: Array<() => Promise<void> | void> = [() => rmSync(stateDir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const emulator = await startEmulator({
      statePath: join(stateDir, 'emulator.db'),
      port: 0,
      host: '127.0.0.1',
      token,
      timeScale: 1,
    });
    closers.push(() => emulator.close());
    const listener = await startListener({ dbPath, host: '127.0.0.1', port: 0, secrets: [secret] });
    closers.push(async () => void (await listener.close()));
    const api = new PlatformClient({ baseUrl: emulator.url, token });
    closers.push(() => api.close());
    const { value } = await api.registerWebhook({ url: listener.url, events: [...EVENT_TYPES], secret, active: true });
    listener.setInfo({ webhookId: value.id });
    return {
      emulator,
      listener,
      webhookId: value.id,
      async emitAll() {
        const ids: string[] = [];
        for (const event of EVENT_TYPES) {
          const answer = (await api.emitEvent(event)) as { deliveries: Array<{ id: string }> };
          ids.push(...answer.deliveries.map((d) => d.id));
        }
        return ids;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
