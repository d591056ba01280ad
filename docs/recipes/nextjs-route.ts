// Next.js (App Router): app/api/webhook/route.ts. A route handler gets the standard Request, whose
// raw bytes are request.arrayBuffer(); request.json() would parse them, and a signature computed
// over JSON.stringify(await request.json()) fails for real deliveries.
// Set WEBHOOK_SECRET in .env.local; the endpoint is then http://localhost:3000/api/webhook.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const runtime = 'nodejs'; // node:crypto, not the edge runtime

function validSignature(body: Buffer, header: string | null): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', process.env.WEBHOOK_SECRET!).update(body).digest('hex')}`,
  );
  const received = Buffer.from(header ?? '');
  return expected.length === received.length && timingSafeEqual(expected, received);
}

export async function POST(request: Request): Promise<Response> {
  const body = Buffer.from(await request.arrayBuffer());
  if (!validSignature(body, request.headers.get('x-webhook-signature'))) return new Response(null, { status: 401 });
  let event: { event?: string };
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    return new Response(null, { status: 400 });
  }
  // Answer first; do the work afterwards (a queue), deduplicating on X-Webhook-Delivery.
  console.log(request.headers.get('x-webhook-delivery'), event.event);
  return new Response(null, { status: 200 });
}
