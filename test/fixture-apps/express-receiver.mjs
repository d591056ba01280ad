// An Express webhook receiver, as Express's documentation shows middleware: /webhook takes the
// raw bytes with express.raw({ type: 'application/json' }), the right way; /webhook-verify-hook
// keeps them through express.json's verify hook, also right; /webhook-reserialised parses with
// express.json() and verifies JSON.stringify(req.body), the commonest Node mistake.
// Usage: node express-receiver.mjs SECRET  (prints its port)
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';

const secret = process.argv[2];
const app = express();

function signatureMatches(payload, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`);
  const received = Buffer.from(header ?? '');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

app.post('/webhook', express.raw({ type: 'application/json' }), (req, res) => {
  if (!signatureMatches(req.body, req.get('X-Webhook-Signature'))) return res.status(401).send('invalid signature');
  const event = JSON.parse(req.body.toString('utf8'));
  res.json({ received: event.event });
});

app.post(
  '/webhook-verify-hook',
  express.json({
    verify: (req, _res, buf) => {
      req.rawBody = buf;
    },
  }),
  (req, res) => {
    if (!signatureMatches(req.rawBody, req.get('X-Webhook-Signature')))
      return res.status(401).send('invalid signature');
    res.json({ received: req.body.event });
  },
);

app.post('/webhook-reserialised', express.json(), (req, res) => {
  if (!signatureMatches(JSON.stringify(req.body), req.get('X-Webhook-Signature')))
    return res.status(401).send('invalid signature');
  res.json({ received: req.body.event });
});

const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
