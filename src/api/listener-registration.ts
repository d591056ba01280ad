/**
 * `listen --register`: registers a webhook that points at the listener and signs with the
 * listener's secret, and removes it again when the listener stops — the local loop of
 * `stripe listen`.
 */
import { newWebhookSecret } from '../core/signature.js';
import { type ClientOptions, PlatformClient } from './platform-client.js';

export interface ListenerRegistration {
  webhookId: string;
  /** Deletes the webhook and says so through `log`; a failure is reported there too, never thrown. */
  remove(): Promise<void>;
}

export interface RegistrationTarget {
  /** The listener's endpoint, e.g. http://127.0.0.1:3000/webhook. */
  url: string;
  /** The listener verifies with these; the webhook gets the first. */
  secrets: readonly string[];
}

export async function registerListener(
  api: ClientOptions,
  target: RegistrationTarget,
  events: string[],
  log: (line: string) => void,
): Promise<ListenerRegistration> {
  const client = new PlatformClient(api);
  // A listener started with --no-verify and no secret still needs a webhook secret.
  const secret = target.secrets[0] ?? newWebhookSecret();
  let webhookId: string;
  try {
    webhookId = (await client.registerWebhook({ url: target.url, events, secret, active: true })).value.id;
  } finally {
    await client.close();
  }
  return {
    webhookId,
    async remove() {
      // The --verbose proxy line was said when registering.
      const cleanup = new PlatformClient({ ...api, verbose: false });
      try {
        await cleanup.deleteWebhook(webhookId);
        log(`removed webhook ${webhookId}`);
      } catch (err) {
        const message = (err as Error).message;
        if (message.startsWith('no webhook with id')) log(`webhook ${webhookId} was already removed`);
        else
          log(
            `warning: could not remove webhook ${webhookId} (${message}) — remove it with \`webhooks-cli delete ${webhookId}\``,
          );
      } finally {
        await cleanup.close();
      }
    },
  };
}
