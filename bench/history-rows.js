// A history database of realistic rows, generated for the figures that need a large one.
import { EVENT_TYPES, HistoryStore, loadSampleEnvelope, sign } from '../dist-bench/internals.js';

export const HISTORY_ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);

/** Realistic rows: the 16 samples, their real headers, answers, some invalid and some failing. */
export function generateHistory(path, rows = HISTORY_ROWS) {
  const store = HistoryStore.open(path);
  const bodies = EVENT_TYPES.map((t) => Buffer.from(JSON.stringify(loadSampleEnvelope(t))));
  const start = Date.now() - rows * 1000;
  const batch = [];
  for (let i = 0; i < rows; i++) {
    const e = i % EVENT_TYPES.length;
    const incoming = i % 2 === 0;
    batch.push({
      direction: incoming ? 'in' : 'out',
      source: incoming ? 'listen' : 'trigger',
      createdAt: start + i * 1000,
      event: EVENT_TYPES[e],
      deliveryId: `dlv_${i.toString(16).padStart(24, '0')}`,
      method: 'POST',
      url: incoming ? '/webhook' : 'http://127.0.0.1:3000/webhook',
      remoteAddress: incoming ? '127.0.0.1' : null,
      requestHeaders: {
        'content-type': 'application/json',
        'user-agent': 'webhooks-cli/0.1.0',
        'x-webhook-event': EVENT_TYPES[e],
        'x-webhook-delivery': `dlv_${i}`,
        'x-webhook-signature': sign(bodies[e], 'bench'),
      },
      requestBody: bodies[e],
      status: i % 50 === 0 ? 401 : 200,
      responseHeaders: { 'content-type': 'text/plain' },
      responseBody: Buffer.from('OK'),
      durationMs: 1 + (i % 7),
      error: null,
      signatureValid: incoming ? i % 50 !== 0 : null,
      signatureError: incoming && i % 50 === 0 ? 'mismatch' : null,
      duplicate: false,
      replayOf: null,
    });
    if (batch.length === 10_000) store.insertMany(batch.splice(0));
  }
  store.insertMany(batch);
  store.close();
}
