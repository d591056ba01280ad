// Receivers that treat a "whsec_…" secret the Standard Webhooks way: /webhook-base64-key strips
// the prefix and base64-decodes the rest as the HMAC key (what Svix-style libraries do);
// /webhook-prefix-stripped strips the prefix and keys the HMAC with the rest as text. Both verify
// the raw bytes with a key the platform does not use. Usage: node whsec-secret-app.mjs SECRET
import { createHmac } from 'node:crypto';
import http from 'node:http';

const secret = process.argv[2];
const bare = secret.replace(/^whsec_/, '');
const keys = { '/webhook-base64-key': Buffer.from(bare, 'base64'), '/webhook-prefix-stripped': bare };

const server = http.createServer((req, res) => {
  const key = keys[req.url];
  if (!key) return res.writeHead(404).end();
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const expected = `sha256=${createHmac('sha256', key).update(Buffer.concat(chunks)).digest('hex')}`;
    res.writeHead(req.headers['x-webhook-signature'] === expected ? 200 : 401).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
