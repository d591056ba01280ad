// Fastify: ask for JSON bodies as a Buffer, so the signature is checked over the exact bytes.
// Fastify's default parser would give you an object; re-serialising it changes the bytes.
//   npm install fastify
//   WEBHOOK_SECRET=s3cret PORT=3000 node fastify.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const secret = process.env.WEBHOOK_SECRET;
const app = Fastify();
// Every body as the Buffer that arrived, in place of Fastify's JSON parser.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

function validSignature(body, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const received = Buffer.from(header ?? '');
  return expected.length === received.length && timingSafeEqual(expected, received);
}

app.post('/webhook', async (request, reply) => {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (!validSignature(body, request.headers['x-webhook-signature'])) return reply.code(401).send();
  let event;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    return reply.code(400).send();
  }
  // Answer first; do the work afterwards (a queue), deduplicating on X-Webhook-Delivery.
  request.log.info({ delivery: request.headers['x-webhook-delivery'], event: event.event });
  return reply.code(200).send();
});

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${address}/webhook`);
