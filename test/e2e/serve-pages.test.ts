/**
 * The emulator's lists come a page at a time, as its OpenAPI document says: `limit` and `cursor`
 * in, `{data, has_more, next_cursor}` and a `Link: rel="next"` header out; the client commands
 * follow either to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { type ServeProcess, startServe } from '../helpers/serve.js';

let s: ServeProcess;
beforeAll(async () => {
  s = await startServe();
  for (let n = 1; n <= 5; n++) {
    await s.call('POST', '/api/v1/webhooks', {
      url: `https://e.example/${n}`,
      events: ['catalog.product.created'],
      secret: 's3cret',
      active: true,
    });
  }
}, 30_000);
afterAll(() => s?.stop());

const get = async (path: string) => {
  const res = await fetch(s.url + path, { headers: { authorization: 'Bearer test-token' } });
  // biome-ignore lint/suspicious/noExplicitAny: the emulator's JSON answers, checked field by field by the expectations
  return { status: res.status, link: res.headers.get('link'), json: (await res.json()) as any };
};

describe('serve paginates its lists', () => {
  it('webhooks: pages of ?limit, next_cursor and Link naming the same next page, none after the last', async () => {
    const first = await get('/api/v1/webhooks?limit=2');
    expect(first.status).toBe(200);
    expect(first.json.data.map((w: { url: string }) => w.url)).toEqual(['https://e.example/1', 'https://e.example/2']);
    expect(first.json.has_more).toBe(true);
    expect(first.link).toBe(`</api/v1/webhooks?limit=2&cursor=${first.json.next_cursor}>; rel="next"`);
    const second = await get(`/api/v1/webhooks?limit=2&cursor=${first.json.next_cursor}`);
    expect(second.json.data.map((w: { url: string }) => w.url)).toEqual(['https://e.example/3', 'https://e.example/4']);
    const last = await get(/<([^>]+)>/.exec(second.link!)![1]!);
    expect(last.json).toMatchObject({ has_more: false, next_cursor: null });
    expect(last.json.data).toHaveLength(1);
    expect(last.link).toBeNull();
  });

  it('a cursor it did not give is a 422 naming the field', async () => {
    const bad = await get('/api/v1/webhooks?cursor=nonsense');
    expect(bad.status).toBe(422);
    expect(bad.json.error).toMatchObject({ code: 'invalid_field', field: 'cursor' });
  });

  it('the OpenAPI document describes limit, cursor, has_more, next_cursor and the Link header', async () => {
    const doc = (await get('/api/v1/openapi.json')).json;
    const list = doc.paths['/api/v1/webhooks'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor']);
    expect(list.responses[200].headers.Link.description).toContain('rel="next"');
    expect(Object.keys(list.responses[200].content['application/json'].schema.properties)).toEqual([
      'data',
      'has_more',
      'next_cursor',
    ]);
    expect(
      doc.paths['/api/v1/webhooks/{webhook_id}/deliveries'].parameters.map((p: { name: string }) => p.name),
    ).toContain('cursor');
  });

  it('list reads every page', async () => {
    const result = await runCli(['--api-url', s.url, '--token', 'test-token', '--json', 'list', '--limit', '4']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).data).toHaveLength(4);
    expect(result.stderr).toContain('raise --limit');
  });
});
