// An Express-style receiver as many are written: the body is parsed first (what express.json()
// does), and the signature is then checked over JSON.stringify(req.body). Every compact payload
// survives that round trip; the platform's pretty-printed ones do not.
// Usage: node reserialising-app.mjs SECRET  (prints its port)
import { createHmac } from 'node:crypto';
import http from 'node:http';

const secret = process.argv[2];

function jsonBody(req, res, next) {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    try {
      req.body = JSON.parse(raw);
    } catch {
      res.writeHead(400).end('Bad JSON');
      return;
    }
    next();
  });
}

function webhook(req, res) {
  const expected = `sha256=${createHmac('sha256', secret).update(JSON.stringify(req.body)).digest('hex')}`;
  if (req.headers['x-webhook-signature'] !== expected) return res.writeHead(401).end('Invalid signature');
  res.writeHead(200).end('OK');
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhook') return res.writeHead(404).end();
  jsonBody(req, res, () => webhook(req, res));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
