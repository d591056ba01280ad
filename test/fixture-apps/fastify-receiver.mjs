// A Fastify webhook receiver, as Fastify's documentation shows routes and content-type parsers:
// /webhook registers a JSON parser with parseAs: 'buffer' that keeps the raw bytes, the right
// way; /webhook-reserialised (in its own plugin, with Fastify's default JSON parser) verifies
// JSON.stringify(request.body). Usage: node fastify-receiver.mjs SECRET  (prints its port)
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const secret = process.argv[2];
const fastify = Fastify();

function signatureMatches(payload, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`);
  const received = Buffer.from(header ?? '');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

fastify.register((raw, _options, done) => {
  raw.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body;
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch (err) {
      err.statusCode = 400;
      done(err);
    }
  });
  raw.post('/webhook', async (request, reply) => {
    if (!signatureMatches(request.rawBody, request.headers['x-webhook-signature']))
      return reply.code(401).send({ error: 'invalid signature' });
    return { received: request.body.event };
  });
  done();
});

fastify.register((parsed, _options, done) => {
  parsed.post('/webhook-reserialised', async (request, reply) => {
    if (!signatureMatches(JSON.stringify(request.body), request.headers['x-webhook-signature']))
      return reply.code(401).send({ error: 'invalid signature' });
    return { received: request.body.event };
  });
  done();
});

await fastify.listen({ port: 0, host: '127.0.0.1' });
console.log(fastify.server.address().port);
