/**
 * `trigger` as a load generator against real loopback receivers: `--rate` keeps its schedule
 * while the receiver stalls and the stall shows in p99 (a closed-model run with --count hides it),
 * a rate the connections cannot carry is reported with how far behind it went, the per-second
 * timeline adds up to the summary, and every delivery the receiver saw is in the history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { tempDir } from '../helpers/cli.js';
import { type ReceiverProcess, startReceiverProcess } from '../helpers/receiver-process.js';
import { runCli } from '../helpers/run-cli.js';
import { type RecordingServer, type Responder, startRecordingServer } from '../helpers/servers.js';

const SECRET = 's3cret';
const servers: RecordingServer[] = [];
const processes: ReceiverProcess[] = [];
afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => s.close()), ...processes.splice(0).map((p) => p.stop())]);
});

/** A receiver recording when each request arrived (ms, performance.now()), answering as `respond` says. */
async function receiver(respond: (arrivedAt: number, seen: number) => ReturnType<Responder> = () => ({ status: 200 })) {
  const arrivals: number[] = [];
  const server = await startRecordingServer(() => {
    const now = performance.now();
    arrivals.push(now);
    return respond(now, arrivals.length);
  });
  servers.push(server);
  return { server, arrivals, url: `${server.url}/webhook` };
}

/** test/fixture-apps/stalling-app.mjs as a process: its URL, and what it saw. */
async function stallingReceiver(env: Record<string, string>) {
  const app = await startReceiverProcess('stalling-app.mjs', [], env);
  processes.push(app);
  return {
    url: app.url,
    seen: async () =>
      (await (await fetch(app.url.replace('/webhook', '/arrivals'))).json()) as {
        arrivals: Array<[id: string, at: number]>;
        stall: { from: number; until: number };
      },
  };
}

interface Timeline {
  second: number;
  sent: number;
  succeeded: number;
  failed: number;
  p50: number | null;
  p99: number | null;
}

function expectTimelineAddsUp(summary: {
  sent: number;
  succeeded: number;
  failed_status: number;
  errors: number;
  timeline: Timeline[];
}) {
  const sum = (key: 'sent' | 'succeeded' | 'failed') => summary.timeline.reduce((n, s) => n + s[key], 0);
  expect(sum('sent')).toBe(summary.sent);
  expect(sum('succeeded')).toBe(summary.succeeded);
  expect(sum('failed')).toBe(summary.failed_status + summary.errors);
  expect(summary.timeline.map((s) => s.second)).toEqual(summary.timeline.map((_, i) => i));
}

async function historyIds(configDir: string): Promise<Set<string>> {
  const rows = JSON.parse((await runCli(['history', '--json', '--limit', '100000'], { configDir })).stdout) as Array<{
    deliveryId?: string;
    delivery_id?: string;
  }>;
  return new Set(rows.map((r) => r.delivery_id ?? r.deliveryId ?? ''));
}

describe('trigger --rate (open model)', () => {
  it('keeps its schedule through a 2 s stall and p99 shows it; a closed-model run hides the same stall', async () => {
    // The receiver runs in its own process, so its 400 held answers coming back at once do not
    // share an event loop with the sender.
    const open = await stallingReceiver({ STALL_AFTER_MS: '2000' });
    const configDir = tempDir();
    const result = await runCli(
      [
        'trigger',
        'customer.cart.added',
        '--rate',
        '200',
        '--duration',
        '6s',
        '--to',
        open.url,
        '--secret',
        SECRET,
        '--json',
      ],
      { configDir },
    );
    expect(result.code, result.stderr).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    const { arrivals, stall } = await open.seen();

    // The schedule: 200 a second for 6 s, on time (± 2 %), the stall's 2 s included.
    expect(summary.sent).toBe(1200);
    expect(arrivals).toHaveLength(1200);
    // From the 101st (due at 0.5 s, once the process has warmed up) to the last (due at 5.995 s).
    const times = arrivals.map(([, t]) => t).sort((a, b) => a - b);
    const span = times[1199]! - times[100]!;
    expect(span).toBeGreaterThanOrEqual(5495 * 0.98);
    expect(span).toBeLessThanOrEqual(5495 * 1.02);
    const duringStall = times.filter((t) => t >= stall.from && t < stall.until).length;
    expect(duringStall).toBeGreaterThanOrEqual(400 * 0.98);
    expect(duringStall).toBeLessThanOrEqual(400 * 1.02);
    expect(summary.schedule).toMatchObject({ rate: 200 });

    // The stall, measured from each delivery's scheduled time, is in p99 and in its seconds of the timeline.
    expect(summary.latency_ms.from).toBe('scheduled');
    expect(summary.latency_ms.p99).toBeGreaterThanOrEqual(1500);
    expect(summary.succeeded).toBe(1200);
    expectTimelineAddsUp(summary);
    expect(summary.timeline).toHaveLength(6);
    expect(Math.max(...summary.timeline.map((s: Timeline) => s.p99 ?? 0))).toBeGreaterThanOrEqual(1500);

    // Every delivery the receiver saw, each with its own id, is in the history.
    const seen = arrivals.map(([id]) => id);
    expect(new Set(seen).size).toBe(1200);
    const history = await historyIds(configDir);
    expect(seen.filter((id) => !history.has(id))).toEqual([]);

    // The same stall against a closed model (each connection waits for its answer before sending
    // again): only the 10 requests in flight wait, the sender stops sending, and p99 looks fine.
    const closed = await stallingReceiver({ STALL_AT_REQUEST: '600' });
    const closedRun = await runCli([
      'trigger',
      'customer.cart.added',
      '--count',
      '1200',
      '--concurrency',
      '10',
      '--to',
      closed.url,
      '--secret',
      SECRET,
      '--json',
    ]);
    expect(closedRun.code, closedRun.stderr).toBe(0);
    const closedSummary = JSON.parse(closedRun.stdout).summary;
    expect((await closed.seen()).stall).toBeDefined();
    expect(closedSummary.latency_ms.from).toBe('sent');
    expect(closedSummary.latency_ms.max).toBeGreaterThanOrEqual(1500);
    expect(closedSummary.latency_ms.p99).toBeLessThan(1500);
    expectTimelineAddsUp(closedSummary);
  }, 60_000);

  it('a rate the connections cannot carry is reported, with how far behind schedule it went', async () => {
    // Each answer takes 100 ms, so 2 requests in flight carry 20 a second, not 50.
    const slow = await receiver(() => ({ status: 200, delayMs: 100 }));
    const result = await runCli([
      'trigger',
      'catalog.product.created',
      '--rate',
      '50',
      '--duration',
      '1s',
      '--concurrency',
      '2',
      '--to',
      slow.url,
      '--secret',
      SECRET,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    expect(summary.sent).toBe(50);
    expect(summary.schedule).toMatchObject({ rate: 50, kept: false, limited_by: 'concurrency' });
    expect(summary.schedule.late).toBeGreaterThan(25);
    expect(summary.schedule.max_behind_ms).toBeGreaterThan(1000);
    expect(summary.schedule.sent_per_second).toBeLessThan(25);
    // Latency counts from the schedule, so the backlog is in it, not only the 100 ms answers.
    expect(summary.latency_ms.p99).toBeGreaterThan(1000);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^warning: --rate 50 was not kept: \d+ of 50 deliveries went out late, up to [\d.]+ (ms|s) behind schedule \(\d+\/s sent\) — all 2 requests allowed in flight were waiting for answers; raise --concurrency/,
      ),
    ]);
  }, 30_000);

  it('cycles through --all with faults, each copy of a duplicate the same signed delivery', async () => {
    const target = await receiver();
    const configDir = tempDir();
    const result = await runCli(
      [
        'trigger',
        '--all',
        '--rate',
        '100',
        '--count',
        '2',
        '--duplicates',
        '0.5',
        '--shuffle',
        '--seed',
        '7',
        '--header',
        'X-Tenant: acme',
        '--to',
        target.url,
        '--secret',
        SECRET,
        '--json',
      ],
      { configDir },
    );
    expect(result.code, result.stderr).toBe(0);
    const { summary, seed } = JSON.parse(result.stdout);
    expect(seed).toBe(7);
    expect(summary).toMatchObject({ sent: 48, duplicates: 16, succeeded: 48 });
    const requests = target.server.requests;
    expect(requests).toHaveLength(48);
    expect(new Set(requests.map((r) => r.headers['x-webhook-event'])).size).toBe(16);
    expect(requests.every((r) => r.headers['x-tenant'] === 'acme')).toBe(true);
    expect(requests.every((r) => verify(r.body, r.headers['x-webhook-signature'], [SECRET]).valid)).toBe(true);
    const byId = new Map<string, typeof requests>();
    for (const r of requests) {
      const id = String(r.headers['x-webhook-delivery']);
      byId.set(id, [...(byId.get(id) ?? []), r]);
    }
    expect(byId.size).toBe(32);
    for (const copies of byId.values()) {
      expect(copies.every((c) => c.body.equals(copies[0]!.body))).toBe(true);
      expect(new Set(copies.map((c) => c.headers['x-webhook-signature'])).size).toBe(1);
    }
    expect((await historyIds(configDir)).size).toBe(32);
    expectTimelineAddsUp(summary);
  }, 30_000);

  it('needs an end: --duration or --count', async () => {
    const result = await runCli(['trigger', 'customer.cart.added', '--rate', '100', '--secret', SECRET]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: --rate 100 needs an end — add --duration (e.g. --rate 500 --duration 60s), or --count N to send each event N times at that rate',
    );
  });
});

describe('trigger --duration without --rate (closed model)', () => {
  it('sends as fast as its connections allow until the time is up; the timeline adds up', async () => {
    const target = await receiver(() => ({ status: 200, delayMs: 5 }));
    const configDir = tempDir();
    const result = await runCli(
      [
        'trigger',
        'search.query.performed',
        '--duration',
        '1s',
        '--concurrency',
        '4',
        '--to',
        target.url,
        '--secret',
        SECRET,
        '--json',
      ],
      { configDir },
    );
    expect(result.code, result.stderr).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    expect(summary.sent).toBeGreaterThan(50);
    expect(summary.sent).toBe(target.server.requests.length);
    expect(summary.schedule).toBeUndefined();
    expectTimelineAddsUp(summary);
    expect((await historyIds(configDir)).size).toBe(summary.sent);
  }, 30_000);
});

describe('trigger load runs: failures named as for one delivery', () => {
  it('https:// to a plain-HTTP receiver says it does not speak TLS, once for all of them', async () => {
    const target = await receiver();
    const result = await runCli([
      'trigger',
      'customer.cart.added',
      '--count',
      '20',
      '--to',
      target.url.replace('http:', 'https:'),
      '--secret',
      SECRET,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `error: 20 of 20 deliveries failed: 127.0.0.1:${target.server.port} does not speak TLS — it looks like a plain-HTTP server; use ${target.url}`,
    );
  });
});

describe('trigger load run on a terminal', () => {
  it('draws a live line on stderr and ends with a chart of rate and p99', async () => {
    const target = await receiver();
    const result = await runCli(
      ['trigger', 'customer.cart.added', '--rate', '100', '--duration', '2s', '--to', target.url, '--secret', SECRET],
      { isTTY: true, env: { CI: 'false', TERM: 'xterm' } },
    );
    expect(result.code, result.stderr).toBe(0);
    const frames = result.stderr.split('\r').filter((f) => /^\d+s /.test(f));
    expect(frames.length).toBeGreaterThan(2);
    for (const frame of frames) expect(frame.replace('\x1b[K', '').length).toBeLessThanOrEqual(79);
    expect(frames.at(-1)).toMatch(/^\ds {2}\d+\/s {2}in flight \d+ {2}p50 /);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^sent 200 in [\d.]+ s — \d+ req\/s( \(on schedule at --rate 100\))?$/);
    expect(lines).toContainEqual(expect.stringMatching(/^req\/s {2}[▁▂▃▄▅▆▇█]{2,3} {2}up to \d+$/));
    expect(lines).toContainEqual(expect.stringMatching(/^p99 {4}[▁▂▃▄▅▆▇█ ]{2,3} {2}up to /));
  }, 30_000);
});

describe('trigger: answers slower than the platform allows', () => {
  it('counts the requests the platform would have timed out and retried', async () => {
    // Three of twenty never answer: the 10 s --timeout (the default, the platform's) ends them.
    const target = await receiver((_now, seen) =>
      seen % 6 === 0 ? { status: 200, delayMs: 60_000 } : { status: 200 },
    );
    const result = await runCli([
      'trigger',
      'customer.purchase.completed',
      '--count',
      '20',
      '--concurrency',
      '20',
      '--to',
      target.url,
      '--secret',
      SECRET,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2xx 17  non-2xx 0  errors 3  (200×17 timeout×3)\n');
    expect(result.stdout).toContain(
      "3 answers took longer than the platform's 10 s timeout — the platform would retry them",
    );
    expect(result.stderr.trim()).toMatch(
      /^error: 3 of 20 deliveries failed: no answer from 127\.0\.0\.1:\d+ within 10000 ms/,
    );
  }, 30_000);
});
