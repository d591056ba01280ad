// Express: verify the signature over the raw body, then parse it.
// express.raw() keeps the exact bytes; express.json() would hand you a parsed (and re-serialisable)
// object, and a signature computed over JSON.stringify(req.body) fails for real deliveries.
//   npm install express
//   WEBHOOK_SECRET=s3cret PORT=3000 node express.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';

const secret = process.env.WEBHOOK_SECRET;
const app = express();

function validSignature(body, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const received = Buffer.from(header ?? '');
  return expected.length === received.length && timingSafeEqual(expected, received);
}

app.post('/webhook', express.raw({ type: '*/*' }), (req, res) => {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!validSignature(body, req.get('X-Webhook-Signature'))) return res.sendStatus(401);
  let event;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    return res.sendStatus(400);
  }
  // Answer first; do the work afterwards (a queue), deduplicating on X-Webhook-Delivery.
  res.sendStatus(200);
  console.log(`${req.get('X-Webhook-Delivery')} ${event.event}`);
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhook`),
);
