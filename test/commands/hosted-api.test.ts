/**
 * The API commands against a stand-in of a hosted API as such APIs really behave: a test
 * delivery queued and finished later, 429/503 with Retry-After, a connection reset under a
 * request, lists paginated by Link headers and by cursors. The stand-in records every request.
 */
import { describe, expect, it } from 'vitest';
import { apiStandIn, jsonAnswer } from '../helpers/api-stand-in.js';

const standIn = apiStandIn();
const api = standIn.start;
const cli = standIn.cli;
const json = jsonAnswer;

const paths = () => standIn.server.requests.map((r) => `${r.method} ${r.url}`);
const hook = (n: number) => ({
  id: `wh_${n}`,
  url: `https://example.com/${n}`,
  events: ['catalog.product.created'],
  active: true,
});

/** A hosted API that queues the test delivery and lists it with `statuses` in turn, one per poll. */
function queuedTest(statuses: Array<Record<string, unknown>>) {
  let polls = 0;
  return api((req) => {
    if (req.method === 'POST') return json(202, { delivery_id: 'dlv_q1', status: 'queued' });
    const row = statuses[Math.min(polls++, statuses.length - 1)]!;
    // Another delivery first, and the queued one under `id` or `delivery_id` as APIs differ.
    return json(200, { data: [{ id: 'dlv_other', status: 'succeeded', response_status: 200 }, row] });
  });
}

describe('test waits for a queued delivery', () => {
  it('polls the deliveries until the attempt succeeded: exit 0 with its status', async () => {
    await queuedTest([
      { id: 'dlv_q1', status: 'queued' },
      { id: 'dlv_q1', status: 'pending' },
      { delivery_id: 'dlv_q1', status: 'succeeded', response_status: 204, duration_ms: 12 },
    ]);
    const result = await cli(['test', 'wh_1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ 204\s+catalog\.product\.created\s+dlv_q1/);
    expect(paths()[0]).toBe('POST /api/v1/webhooks/wh_1/test');
    expect(
      paths()
        .slice(1)
        .every((p) => p.startsWith('GET /api/v1/webhooks/wh_1/deliveries')),
    ).toBe(true);
    expect(paths()).toHaveLength(4);
  });

  it('a failed (or retrying) attempt: exit 1 with the reason', async () => {
    await queuedTest([
      { id: 'dlv_q1', status: 'queued' },
      { delivery_id: 'dlv_q1', status: 'retrying', response_status: 500, error: 'answered 500' },
    ]);
    const result = await cli(['test', 'wh_1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ 500/);
    expect(result.stderr).toContain('the test delivery failed: answered 500 — the platform retries it');
  });

  it('--json prints the test answer with the outcome the deliveries gave', async () => {
    await queuedTest([{ delivery_id: 'dlv_q1', status: 'succeeded', response_status: 200 }]);
    const result = await cli(['--json', 'test', 'wh_1']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      delivery_id: 'dlv_q1',
      status: 'succeeded',
      attempt: { delivery_id: 'dlv_q1', status: 'succeeded', response_status: 200 },
    });
  });

  it('still queued when --wait runs out: exit 1, saying nothing failed yet', async () => {
    await queuedTest([{ id: 'dlv_q1', status: 'queued' }]);
    const result = await cli(['test', 'wh_1', '--wait', '1s']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the test delivery is still queued after 1 s — nothing failed yet');
    expect(standIn.server.requests.length).toBeGreaterThan(1);
  });

  it('--no-wait prints the queued id and exits 0 after the one request', async () => {
    await queuedTest([{ id: 'dlv_q1', status: 'queued' }]);
    const result = await cli(['test', 'wh_1', '--no-wait']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dlv_q1');
    expect(result.stderr).toContain('queued dlv_q1');
    expect(paths()).toEqual(['POST /api/v1/webhooks/wh_1/test']);
  });
});

describe('transient failures', () => {
  it('a 429 with Retry-After in seconds is waited out, with one line on stderr', async () => {
    let calls = 0;
    await api(() =>
      calls++ === 0
        ? json(429, { error: { message: 'slow down' } }, { 'retry-after': '1' })
        : json(200, { data: [hook(1)] }),
    );
    const started = Date.now();
    const result = await cli(['list']);
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(result.stderr.split('\n')).toEqual([
      'the API answered 429 (too many requests); trying again in 1 s as its Retry-After asks',
    ]);
    expect(result.stdout).toContain('wh_1');
    expect(paths()).toEqual(['GET /api/v1/webhooks', 'GET /api/v1/webhooks']);
  });

  it('a 503 with an HTTP-date Retry-After is waited out, a POST included (the API refused it)', async () => {
    let calls = 0;
    await api(() =>
      calls++ === 0
        ? json(503, {}, { 'retry-after': new Date(Date.now() + 1000).toUTCString() })
        : json(201, { ...hook(1), secret: 's3cret' }),
    );
    const result = await cli([
      'register',
      '--url',
      'https://example.com/1',
      '--events',
      'catalog.product.created',
      '--secret',
      's3cret',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/the API answered 503 \(unavailable\); trying again in (\d+ ms|1 s)/);
    expect(paths()).toEqual(['POST /api/v1/webhooks', 'POST /api/v1/webhooks']);
  });

  it("at most 3 tries; a Retry-After over the minute is not waited: exit 1 with the API's answer", async () => {
    await api(() => json(429, { error: { message: 'slow down' } }, { 'retry-after': '0' }));
    const thrice = await cli(['list']);
    expect(thrice.code).toBe(1);
    expect(standIn.server.requests).toHaveLength(3);
    expect(thrice.stderr.split('\n').filter((l) => l.includes('trying again'))).toHaveLength(2);
    expect(thrice.stderr).toContain('error: the API answered 429: slow down');
    await standIn.server.close();

    await api(() => json(503, {}, { 'retry-after': '120' }));
    const long = await cli(['get', 'wh_1']);
    expect(long.code).toBe(1);
    expect(standIn.server.requests).toHaveLength(1);
    expect(long.stderr).toContain('error: the API failed with 503');
  });

  it('a GET reset before its answer is sent once more', async () => {
    let calls = 0;
    await api(() => (calls++ === 0 ? { status: 0, reset: true } : json(200, hook(1))));
    const result = await cli(['get', 'wh_1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('was reset; sending GET /api/v1/webhooks/wh_1 again');
    expect(paths()).toEqual(['GET /api/v1/webhooks/wh_1', 'GET /api/v1/webhooks/wh_1']);
  });

  it('a POST or PATCH reset after its body arrived is never sent again', async () => {
    await api(() => ({ status: 0, reset: true }));
    const post = await cli([
      'register',
      '--url',
      'https://example.com/1',
      '--events',
      'catalog.product.created',
      '--secret',
      's3cret',
    ]);
    expect(post.code).toBe(1);
    expect(post.stderr).toContain(
      'was reset before it answered; the POST was not sent again, as the API may have acted on it',
    );
    const patch = await cli(['update', 'wh_1', '--debug-mode']);
    expect(patch.code).toBe(1);
    expect(patch.stderr).toContain('the PATCH was not sent again');
    expect(paths()).toEqual(['POST /api/v1/webhooks', 'PATCH /api/v1/webhooks/wh_1']);
    expect(post.stderr.split('\n')).toHaveLength(1);
  });
});

describe('pagination', () => {
  it('list follows Link rel="next" (a relative one, among other relations) to the last page', async () => {
    await api((req) => {
      if (req.url === '/api/v1/webhooks')
        return json(
          200,
          { data: [hook(1), hook(2)] },
          {
            link: `<${standIn.server.url}/api/v1/webhooks?page=1>; rel="first", <${standIn.server.url}/api/v1/webhooks?page=2>; rel="next"`,
          },
        );
      if (req.url === '/api/v1/webhooks?page=2')
        return json(200, [hook(3)], { link: '</api/v1/webhooks?page=3>; rel="next"' });
      return json(200, { data: [hook(4)] });
    });
    const result = await cli(['--json', 'list']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).data.map((w: { id: string }) => w.id)).toEqual(['wh_1', 'wh_2', 'wh_3', 'wh_4']);
    expect(paths()).toEqual(['GET /api/v1/webhooks', 'GET /api/v1/webhooks?page=2', 'GET /api/v1/webhooks?page=3']);
  });

  it("deliveries follows has_more + next_cursor and a body's next URL, up to --limit", async () => {
    const row = (n: number) => ({
      delivery_id: `dlv_${n}`,
      event: 'catalog.product.created',
      status: 'succeeded',
      response_status: 200,
    });
    await api((req) => {
      const url = new URL(req.url, standIn.server.url);
      if (!url.searchParams.has('cursor') && !url.searchParams.has('after'))
        return json(200, { data: [row(1), row(2)], has_more: true, next_cursor: 'c2' });
      if (url.searchParams.get('cursor') === 'c2')
        return json(200, { data: [row(3), row(4)], next: '/api/v1/webhooks/wh_1/deliveries?after=dlv_4' });
      return json(200, { data: [row(5), row(6)], has_more: false });
    });
    const all = await cli(['deliveries', 'wh_1']);
    expect(all.code, all.stderr).toBe(0);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(all.stdout).toContain(`dlv_${n}`);
    expect(paths()).toEqual([
      'GET /api/v1/webhooks/wh_1/deliveries?limit=50',
      'GET /api/v1/webhooks/wh_1/deliveries?limit=50&cursor=c2',
      'GET /api/v1/webhooks/wh_1/deliveries?after=dlv_4',
    ]);

    standIn.server.requests.length = 0;
    const three = await cli(['--json', 'deliveries', 'wh_1', '--limit', '3']);
    expect(JSON.parse(three.stdout).data.map((d: { delivery_id: string }) => d.delivery_id)).toEqual([
      'dlv_1',
      'dlv_2',
      'dlv_3',
    ]);
    expect(standIn.server.requests).toHaveLength(2);
    expect(three.stderr).toContain('showing the newest 3; the API has more — raise --limit');
  });

  it('a page that links to itself ends the listing instead of looping', async () => {
    await api(() => json(200, { data: [hook(1)] }, { link: '</api/v1/webhooks>; rel="next"' }));
    const result = await cli(['list']);
    expect(result.code).toBe(0);
    expect(standIn.server.requests).toHaveLength(1);
  });
});
