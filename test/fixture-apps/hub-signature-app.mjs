// A receiver copied from a GitHub webhook guide: it reads X-Hub-Signature-256, not
// X-Webhook-Signature. Verifies the raw bytes with the right secret, from the wrong header.
// Usage: node hub-signature-app.mjs SECRET  (prints its port)
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const secret = process.argv[2];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(Buffer.concat(chunks)).digest('hex')}`);
    const received = Buffer.from(req.headers['x-hub-signature-256'] ?? '');
    const ok = received.length === expected.length && timingSafeEqual(received, expected);
    res.writeHead(ok ? 200 : 401).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
