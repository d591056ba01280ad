// A receiver that expects the digest base64-encoded (as Shopify's and some other platforms'
// webhooks are), after "sha256=". Verifies the raw bytes with the right secret, in the wrong form.
// Usage: node base64-signature-app.mjs SECRET  (prints its port)
import { createHmac } from 'node:crypto';
import http from 'node:http';

const secret = process.argv[2];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const expected = `sha256=${createHmac('sha256', secret).update(Buffer.concat(chunks)).digest('base64')}`;
    res.writeHead(req.headers['x-webhook-signature'] === expected ? 200 : 401).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
