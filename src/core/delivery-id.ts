import { randomFillSync } from 'node:crypto';

const ID_BYTES = 12;
// Random bytes drawn 256 ids at a time: a load run asks for tens of thousands of ids.
const pool = Buffer.alloc(ID_BYTES * 256);
let offset = pool.length;

/** A unique delivery id, `dlv_` and 24 hex digits. Retries keep it; replays get a new one. */
export function newDeliveryId(): string {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return `dlv_${id}`;
}
