// A receiver that answers 200 at once, except for one stall of STALL_MS (default 2000): every
// request arriving during it is held until it ends, as a handler behind a database that locks up.
// The stall starts STALL_AFTER_MS after the first request, or at request number STALL_AT_REQUEST.
// GET /arrivals answers what it saw: {"arrivals": [[delivery id, ms]], "stall": {"from", "until"}}
// (ms on its own monotonic clock). Usage: node stalling-app.mjs  (prints its port)
import http from 'node:http';

const stallMs = Number(process.env.STALL_MS ?? 2000);
const afterMs = process.env.STALL_AFTER_MS === undefined ? undefined : Number(process.env.STALL_AFTER_MS);
const atRequest = process.env.STALL_AT_REQUEST === undefined ? undefined : Number(process.env.STALL_AT_REQUEST);
const arrivals = [];
let stall;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/arrivals') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ arrivals, stall }));
    return;
  }
  req.resume();
  req.on('end', () => {
    const now = performance.now();
    arrivals.push([String(req.headers['x-webhook-delivery']), now]);
    const first = arrivals[0][1];
    const starts = afterMs !== undefined ? now - first >= afterMs : arrivals.length === atRequest;
    if (!stall && starts) stall = { from: now, until: now + stallMs };
    if (stall && now < stall.until) setTimeout(() => res.end('ok'), stall.until - now);
    else res.end('ok');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
