import { randomBytes } from 'node:crypto';

/** A unique delivery id, `dlv_` and 24 hex digits. Retries keep it; replays get a new one. */
export function newDeliveryId(): string {
  return `dlv_${randomBytes(12).toString('hex')}`;
}
