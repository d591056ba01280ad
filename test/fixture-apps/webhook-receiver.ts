/**
 * An example webhook receiver written from the platform document's Python handler
 * (`verify_signature` + `handle_webhook`), in Node with nothing but node:http and node:crypto.
 * It keeps the document's semantics — 401 for a bad signature; processing errors are logged and
 * answered 200 so the platform does not retry them — and makes explicit what the snippet leaves
 * implicit:
 *   - the HMAC is computed over the raw body bytes, before any JSON parsing;
 *   - a missing signature is a bad signature (in the snippet, `compare_digest(…, None)` raises,
 *     and its catch-all answers 200);
 *   - the comparison is constant-time over equal-length buffers (`hmac.compare_digest`);
 *   - a delivery id seen before is acknowledged without processing it again.
 * `smoke` must pass against it; the tests check that it does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export function verifySignature(payload: Buffer, signature: string | undefined, secret: string): boolean {
  if (typeof signature !== 'string') return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(payload).digest('hex')}`,
    'utf8',
  );
  const received = Buffer.from(signature, 'utf8');
  // timingSafeEqual needs equal lengths; a length difference reveals nothing secret.
  return received.length === expected.length && timingSafeEqual(expected, received);
}

export interface ExampleReceiver {
  url: string;
  /** Events processed, once per delivery id. */
  processed: Array<{ deliveryId: string; event: string }>;
  errors: string[];
  close: () => Promise<void>;
}

export async function startExampleReceiver(secret: string, path = '/webhook'): Promise<ExampleReceiver> {
  const processed: ExampleReceiver['processed'] = [];
  const errors: string[] = [];
  const seen = new Set<string>();

  const processEvent = (deliveryId: string, eventData: { event: string; data: unknown }) => {
    if (typeof eventData.event !== 'string' || typeof eventData.data !== 'object')
      throw new Error('not a webhook envelope');
    processed.push({ deliveryId, event: eventData.event });
  };

  const server = http.createServer((req, res) => {
    const answer = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    };
    if (req.method !== 'POST' || req.url !== path) return answer(req.method !== 'POST' ? 405 : 404, 'Not found');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const signature = req.headers['x-webhook-signature'];
      if (!verifySignature(body, Array.isArray(signature) ? signature[0] : signature, secret))
        return answer(401, 'Invalid signature');
      try {
        const deliveryId = String(req.headers['x-webhook-delivery'] ?? '');
        if (deliveryId && seen.has(deliveryId)) return answer(200, 'OK (already processed)');
        processEvent(deliveryId, JSON.parse(body.toString('utf8')));
        seen.add(deliveryId);
        answer(200, 'OK');
      } catch (err) {
        // Log the error but answer 200, so a processing error is not retried (as the document says).
        errors.push((err as Error).message);
        answer(200, 'OK');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    processed,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
