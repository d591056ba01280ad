// The load both receiver figures send: autocannon, 50 connections, the same signed body with a
// fresh delivery id per request (as a real sender would), for a number of requests or of seconds.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { sign } from '../dist-bench/internals.js';

export const CONNECTIONS = 50;
export const SECRET = 'bench-secret';
export const BODY = JSON.stringify({
  event: 'customer.cart.added',
  timestamp: '2023-12-01T10:35:47Z',
  data: {
    customer_id: 'cust_8f3a',
    product_id: 'prod_77d1',
    quantity: 1,
    price: { amount: 59.9, currency: 'EUR' },
    size: 'M',
    color: 'navy',
  },
});
const SIGNATURE = sign(BODY, SECRET);
let sent = 0;

/**
 * Sends the load to `url` (`{ amount }` requests or `{ seconds }`); resolves with autocannon's
 * result, `answered` (every answer it read, 2xx or not), `sent` (requests sent: at the end of a
 * timed run the last ones may be answered after autocannon stopped reading) and `seconds` from the
 * start to the last answer.
 */
export function signedLoad(url, { amount, seconds }) {
  const started = performance.now();
  const firstId = sent;
  let lastAnswer = started;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        ...(amount ? { amount } : { duration: seconds }),
        requests: [
          {
            method: 'POST',
            body: BODY,
            onResponse: () => {
              lastAnswer = performance.now();
            },
            // The body (and so the signature) stays the same, which keeps the generator's own cost equal for every server.
            setupRequest: (req) => ({
              ...req,
              headers: {
                'content-type': 'application/json',
                'x-webhook-event': 'customer.cart.added',
                'x-webhook-delivery': `dlv_bench_${process.pid}_${sent++}`,
                'x-webhook-signature': SIGNATURE,
              },
            }),
          },
        ],
      },
      // autocannon ends (and measures `duration`) on whole-second ticks: too coarse for a rate,
      // so the time to the last answer is taken instead.
      (err, result) =>
        err
          ? reject(err)
          : resolve({
              ...result,
              answered: result['2xx'] + result.non2xx,
              sent: sent - firstId,
              seconds: (lastAnswer - started) / 1000,
            }),
    );
  });
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
