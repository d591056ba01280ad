// A receiver that verifies the raw bytes correctly but does its work on every request it
// accepts, one line per delivery in LOG_FILE, without remembering delivery ids: a retry or a
// duplicate is processed twice. With SLOW_EVENTS (event=ms,…) it answers those events late.
// With DROP_PREFIX it answers 200 to events of that prefix but never processes them.
// Usage: node counting-app.mjs SECRET LOG_FILE  (prints its port)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const [secret, logFile] = process.argv.slice(2);
const slow = Object.fromEntries(
  (process.env.SLOW_EVENTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('='))
    .map(([e, ms]) => [e, Number(ms)]),
);
const dropPrefix = process.env.DROP_PREFIX;
writeFileSync(logFile, '');

function verified(body, header) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const received = Buffer.from(String(header ?? ''));
  return expected.length === received.length && timingSafeEqual(expected, received);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    if (!verified(body, req.headers['x-webhook-signature'])) return res.writeHead(401).end('Invalid signature');
    let event;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return res.writeHead(400).end('Not JSON');
    }
    if (slow[event.event]) await new Promise((resolve) => setTimeout(resolve, slow[event.event]));
    if (!dropPrefix || !event.event.startsWith(dropPrefix))
      appendFileSync(logFile, `${req.headers['x-webhook-delivery']} ${event.event}\n`);
    res.writeHead(200).end('OK');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
