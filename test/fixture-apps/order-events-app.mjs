// An order service's webhook endpoint as a Node user writes one: verifies the signature over the
// raw body, then processes the event — here, appends its delivery id to LOG_FILE — and answers
// 200. On SIGTERM (nodemon restarting it) it stops taking connections, finishes what it is
// handling, and exits; a new start takes the same port.
// Usage: node order-events-app.mjs SECRET LOG_FILE PORT  (prints its port once listening)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import http from 'node:http';

const [secret, logFile, port] = process.argv.slice(2);

function verified(body, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const received = Buffer.from(String(header ?? ''));
  return expected.length === received.length && timingSafeEqual(expected, received);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (!verified(Buffer.concat(chunks), req.headers['x-webhook-signature'])) return res.writeHead(401).end();
    appendFileSync(logFile, `${req.headers['x-webhook-delivery']}\n`);
    res.writeHead(200).end('OK');
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
