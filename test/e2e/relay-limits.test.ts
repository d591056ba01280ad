/**
 * What a public relay protects itself and its domain with, against a real `relay` process and
 * real tunnel clients: --rate-limit (429 + Retry-After), --methods (405), --max-pending (503),
 * answers that cannot be served as pages (CSP, nosniff), and GET /metrics in the Prometheus format.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestHandler } from '../../src/receiver/raw-exchange.js';
import { TunnelClient } from '../../src/tunnel/tunnel-client.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';
import { type RelayProcess, startRelayProcess } from '../helpers/relay-process.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function relayWith(args: string[]): Promise<RelayProcess> {
  const relay = await startRelayProcess(0, args);
  cleanups.push(() => relay.stop());
  return relay;
}

/** A tunnel client (the listener's end) answering with `handler`; resolves with its public URL. */
async function channel(relay: RelayProcess, handler: RequestHandler): Promise<string> {
  const client = new TunnelClient({ relayUrl: relay.wsUrl, handler });
  cleanups.push(() => client.stop(100));
  client.start();
  await until(() => client.status().state === 'connected');
  return client.status().publicUrl!;
}

const ok: RequestHandler = async () => ({ status: 200, headers: {}, body: Buffer.from('ok') });

describe('relay limits', () => {
  it('answers 429 with Retry-After once a channel is over --rate-limit, and counts it', async () => {
    const relay = await relayWith(['--rate-limit', '1']);
    const url = await channel(relay, ok);
    // 20 at once against 1 a second with a burst of 2: most must be refused whatever the machine's speed.
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(url, { method: 'POST', body: 'x' })));
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(limited[0]!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited[0]!.headers.get('x-relay-error')).toBe('rate_limited');
    expect(await limited[0]!.json()).toEqual({
      error: { code: 'rate_limited', message: "over this channel's 1 requests a second" },
    });
    await Promise.all(answers.map((a) => a.bodyUsed || a.arrayBuffer()));

    const scrape = parsePrometheusText(await (await fetch(`${relay.url}/metrics`)).text());
    expect(scrape.value('relay_rate_limited_total')).toBe(limited.length);
    expect(scrape.value('relay_requests_total', { status: '429' })).toBe(limited.length);
  });

  it('passes on only --methods and answers the others 405 itself', async () => {
    const relay = await relayWith(['--methods', 'put', '--methods', 'patch']);
    const seen: string[] = [];
    const url = await channel(
      relay,
      async (req) => (seen.push(req.method), { status: 200, headers: {}, body: Buffer.alloc(0) }),
    );
    expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(200);
    expect((await fetch(url, { method: 'PATCH', body: 'x' })).status).toBe(200);
    // The list replaces the default: POST is not passed on now.
    for (const method of ['POST', 'GET']) {
      const refused = await fetch(url, { method });
      expect(refused.status).toBe(405);
      expect(refused.headers.get('allow')).toBe('PUT, PATCH');
      expect(refused.headers.get('x-relay-error')).toBe('method_not_allowed');
    }
    expect(seen).toEqual(['PUT', 'PATCH']);
  });

  it("replaces the listener's own security headers, so an HTML answer is never a page of the relay's domain", async () => {
    const relay = await relayWith([]);
    // A listener app that answers webhooks with a page and a permissive policy of its own.
    const url = await channel(relay, async () => ({
      status: 200,
      headers: {
        'Content-Type': 'text/html',
        'Content-Security-Policy': 'default-src *',
        'X-Content-Type-Options': 'off',
        'Set-Cookie': 'a=b',
      },
      body: Buffer.from('<html><script>steal()</script></html>'),
    }));
    const res = await fetch(url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<html><script>steal()</script></html>');
    // The relay's own errors carry them too.
    const missing = await fetch(`${relay.url}/ch_${'Z'.repeat(22)}`, { method: 'POST' });
    expect(missing.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
  });

  it('answers 503 beyond --max-pending senders waiting for one channel', async () => {
    const relay = await relayWith(['--max-pending', '2']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived = 0;
    const url = await channel(relay, async () => {
      arrived += 1;
      await held;
      return { status: 204, headers: {}, body: Buffer.alloc(0) };
    });
    const waiting = [fetch(url, { method: 'POST' }), fetch(url, { method: 'POST' })];
    await until(() => arrived === 2);
    const third = await fetch(url, { method: 'POST' });
    expect(third.status).toBe(503);
    expect(third.headers.get('x-relay-error')).toBe('listener_busy');
    release();
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([204, 204]);
  });

  it('serves GET /metrics in the Prometheus text format', async () => {
    const relay = await relayWith([]);
    const url = await channel(relay, async () => ({ status: 202, headers: {}, body: Buffer.alloc(0) }));
    for (let i = 0; i < 3; i++) await fetch(url, { method: 'POST', body: 'x' });
    await fetch(`${relay.url}/ch_${'Y'.repeat(22)}`, { method: 'POST' });
    const res = await fetch(`${relay.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const scrape = parsePrometheusText(await res.text());
    expect(Object.fromEntries(scrape.types)).toEqual({
      relay_requests_total: 'counter',
      relay_rate_limited_total: 'counter',
      relay_request_duration_seconds: 'histogram',
      relay_channels: 'gauge',
      relay_connected_listeners: 'gauge',
      relay_pending_requests: 'gauge',
      relay_queued_bytes: 'gauge',
      relay_answer_headers_dropped_total: 'counter',
      // A relay holds by default (--offline hold).
      relay_held_deliveries: 'gauge',
      relay_held_oldest_seconds: 'gauge',
      relay_held_drained_total: 'counter',
      relay_held_refused_total: 'counter',
      relay_held_dropped_total: 'counter',
    });
    expect(scrape.value('relay_held_deliveries')).toBe(0);
    expect(scrape.value('relay_requests_total', { status: '202' })).toBe(3);
    expect(scrape.value('relay_requests_total', { status: '503' })).toBe(1);
    expect(scrape.value('relay_request_duration_seconds_count', { status: '202' })).toBe(3);
    expect(scrape.value('relay_request_duration_seconds_bucket', { status: '202', le: '+Inf' })).toBe(3);
    expect(scrape.value('relay_connected_listeners')).toBe(1);
    expect(scrape.value('relay_channels')).toBe(1);
    expect(scrape.value('relay_pending_requests')).toBe(0);
    expect(scrape.value('relay_queued_bytes')).toBe(0);
    const health = (await (await fetch(`${relay.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toEqual({
      ok: true,
      channels: 1,
      connected: 1,
      pending: 0,
      held: { store: 'sqlite', up: true, deliveries: 0 },
    });
  });
});
