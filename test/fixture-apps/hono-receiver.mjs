// A Hono webhook receiver on Node (@hono/node-server), as Hono's documentation shows handlers:
// /webhook verifies await c.req.text(), the raw body, the right way; /webhook-reserialised
// verifies JSON.stringify(await c.req.json()). Usage: node hono-receiver.mjs SECRET  (prints its port)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const secret = process.argv[2];
const app = new Hono();

function signatureMatches(payload, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`);
  const received = Buffer.from(header ?? '');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

app.post('/webhook', async (c) => {
  const body = await c.req.text();
  if (!signatureMatches(body, c.req.header('X-Webhook-Signature'))) return c.text('invalid signature', 401);
  return c.json({ received: JSON.parse(body).event });
});

app.post('/webhook-reserialised', async (c) => {
  const event = await c.req.json();
  if (!signatureMatches(JSON.stringify(event), c.req.header('X-Webhook-Signature')))
    return c.text('invalid signature', 401);
  return c.json({ received: event.event });
});

serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(info.port));
