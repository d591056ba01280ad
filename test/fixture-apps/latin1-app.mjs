// A receiver that reads the body as text with the wrong encoding (latin-1, Node's 'binary')
// and signs that text: every ASCII payload verifies, any with é or · does not.
// Usage: node latin1-app.mjs SECRET  (prints its port)
import { createHmac } from 'node:crypto';
import http from 'node:http';

const secret = process.argv[2];
const server = http.createServer((req, res) => {
  let text = '';
  req.setEncoding('latin1');
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    const expected = `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;
    if (req.headers['x-webhook-signature'] !== expected) return res.writeHead(401).end('Invalid signature');
    try {
      JSON.parse(text);
    } catch {
      return res.writeHead(400).end('Not JSON');
    }
    res.writeHead(200).end('OK');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
