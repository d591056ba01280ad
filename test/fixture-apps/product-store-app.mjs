// A receiver that keeps a product table and assumes events arrive in order: deleting a product
// it has never seen throws, and the error handler answers 500 (or MISSING_STATUS, e.g. 404).
// Usage: node product-store-app.mjs SECRET  (prints its port)
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const secret = process.argv[2];
const missingStatus = Number(process.env.MISSING_STATUS ?? 500);
const products = new Map();

function verified(body, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const received = Buffer.from(String(header ?? ''));
  return expected.length === received.length && timingSafeEqual(expected, received);
}

function apply({ event, data }) {
  if (event === 'catalog.product.created') products.set(data.product_id, data);
  if (event === 'catalog.product.deleted') {
    if (!products.has(data.product_id))
      throw Object.assign(new Error(`no product ${data.product_id}`), { status: missingStatus });
    products.delete(data.product_id);
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!verified(body, req.headers['x-webhook-signature'])) return res.writeHead(401).end('Invalid signature');
    try {
      apply(JSON.parse(body.toString('utf8')));
      res.writeHead(200).end('OK');
    } catch (err) {
      res.writeHead(err.status ?? 400).end(err.message);
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
