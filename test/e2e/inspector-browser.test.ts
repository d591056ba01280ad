/**
 * The web inspector in a real browser (Debian's chromium through playwright-core): `listen`
 * spawned as users run it, deliveries sent to it, and the page used as a person would — keys,
 * clicks, the editor — with a second real listener verifying what the edited replay sends.
 * Screenshots at 1280×800 and 390×844 are kept in test-artefacts/inspector/ to look at.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { sign } from '../../src/core/signature.js';
import { openBrowser, screenshot, type TestBrowser } from '../helpers/browser.js';
import { BIN, isolatedEnv, spawnCli, tempDir } from '../helpers/cli.js';
import { skipWithout } from '../helpers/required-program.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';

interface ListenProcess {
  url: string;
  inspectorUrl: string | null;
  configDir: string;
  dbPath: string;
  child: ResultPromise<{ reject: false }>;
  stdout: string[];
}

/** `listen --json --no-tui` as a process; resolves at its ready line. */
async function listen(args: string[]): Promise<ListenProcess> {
  const configDir = tempDir();
  const dbPath = join(configDir, 'history.db');
  const child = execa(
    process.execPath,
    [BIN, 'listen', '--port', '0', '--secret', SECRET, '--json', '--no-tui', '--db', dbPath, ...args],
    { reject: false, env: isolatedEnv(configDir), extendEnv: true, timeout: 600_000 },
  ) as ResultPromise<{ reject: false }>;
  const stdout: string[] = [];
  const ready = await new Promise<{ url: string; inspector_url: string | null }>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const lines = seen.split('\n');
      seen = lines.pop()!;
      for (const line of lines) {
        stdout.push(line);
        const parsed = JSON.parse(line) as { type: string; url: string; inspector_url: string | null };
        if (parsed.type === 'listening') resolve(parsed);
      }
    });
    child.then((r) => reject(new Error(`listen exited early (${r.exitCode}): ${r.stderr}`)), reject);
  });
  return { url: ready.url, inspectorUrl: ready.inspector_url, configDir, dbPath, child, stdout };
}

function sampleBody(type: string): Buffer {
  return readFileSync(new URL(`../../fixtures/events/${type}.json`, import.meta.url));
}

/** One delivery as the platform sends it: the body signed byte for byte. */
async function deliver(url: string, type: string, deliveryId: string, body = sampleBody(type), secret = SECRET) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-webhook-event': type,
      'x-webhook-delivery': deliveryId,
      'x-webhook-signature': sign(body, secret),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

const rowsOnPage = (page: Page) => page.locator('tr.row');

/** The message line's text once it says something other than "replaying…". */
async function messageAfterReplay(page: Page): Promise<string> {
  const message = page.getByTestId('message');
  await until(async () => /→/.test((await message.textContent()) ?? ''), 15_000, 'the replay result');
  return (await message.textContent())!;
}

describe.skipIf(skipWithout('chromium', ['--version']))('the web inspector in a browser', { timeout: 60_000 }, () => {
  let main: ListenProcess;
  let other: ListenProcess;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    [main, other] = await Promise.all([listen(['--inspect', '127.0.0.1:0']), listen(['--no-inspect'])]);
    browser = await openBrowser({ width: 1280, height: 800 });
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    main?.child.kill('SIGTERM');
    other?.child.kill('SIGTERM');
    await Promise.all([main?.child, other?.child]);
  });

  it('prints its address with a token, and takes the token out of the address bar', async () => {
    expect(main.inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(other.inspectorUrl).toBeNull();
    await page.goto(main.inspectorUrl!);
    await page.getByText('No deliveries yet.').waitFor();
    expect(page.url()).not.toContain('token');
  });

  it('shows 20 deliveries arriving live, newest first', async () => {
    for (let i = 0; i < 20; i++) {
      expect(
        await deliver(main.url, EVENT_TYPES[i % EVENT_TYPES.length]!, `dlv_live_${String(i).padStart(2, '0')}`),
      ).toBe(200);
    }
    await until(async () => (await rowsOnPage(page).count()) === 20, 10_000, '20 rows on the page');
    await expect(rowsOnPage(page).first().locator('.c-delivery').textContent()).resolves.toBe('dlv_live_19');
    await expect(rowsOnPage(page).first().locator('.c-sig').textContent()).resolves.toBe('✓');
    await expect(rowsOnPage(page).first().locator('.c-status').textContent()).resolves.toBe('200');
    expect(browser.errors).toEqual([]);
  });

  it('filters with the TUI’s language (/ focuses the filter), and shows a bad signature’s verdict, expected vs received', async () => {
    const bad = Buffer.from(sampleBody('customer.cart.added'));
    expect(await deliver(main.url, 'customer.cart.added', 'dlv_bad_signature', bad, 'not-the-secret')).toBe(401);
    await until(async () => (await rowsOnPage(page).count()) === 21, 10_000, 'the bad delivery on the page');

    await page.keyboard.press('/');
    await page.keyboard.type('event:customer.cart.added');
    await page.keyboard.press('Enter');
    // customer.cart.added is the 12th type: sent twice in 20 (i = 11), once more with a bad signature.
    await until(async () => (await rowsOnPage(page).count()) === 2, 10_000, 'two rows of customer.cart.added');
    for (const event of await rowsOnPage(page).locator('.c-event').allTextContents())
      expect(event).toBe('customer.cart.added');

    await page.locator('input[name=filter]').fill('invalid');
    await page.keyboard.press('Enter');
    await until(async () => (await rowsOnPage(page).count()) === 1, 10_000, 'the one invalid row');
    await page.keyboard.press('Enter');
    const verdict = page.getByTestId('signature-verdict');
    await until(async () => /does not match/.test((await verdict.textContent()) ?? ''), 10_000, 'the verdict');
    expect(await verdict.textContent()).toBe('✗ signature does not match the body with any configured secret');
    const signature = await page.locator('.sig-value').allTextContents();
    expect(signature[0]).toBe(sign(bad, 'not-the-secret'));
    expect(signature[1]).toBe(sign(bad, SECRET));

    await page.locator('input[name=filter]').fill('');
    await page.keyboard.press('Enter');
    await until(async () => (await rowsOnPage(page).count()) === 21, 10_000, 'the whole list again');
  });

  it('moves with j/k and replays the selected delivery with r: the replay and its arrival appear as new rows', async () => {
    await rowsOnPage(page).nth(1).click(); // dlv_live_19
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await expect(page.locator('tr.row.selected .c-delivery').textContent()).resolves.toBe('dlv_live_19');
    await until(async () => (await page.locator('.detail h2 + p').textContent())?.includes('dlv_live_19'));

    await page.keyboard.press('r');
    expect(await messageAfterReplay(page)).toMatch(/^✓ replayed dlv_live_19 as (dlv_\w+) to http:\/\/\S+ → 200$/);
    await until(async () => (await rowsOnPage(page).count()) === 23, 10_000, 'the replay (out) and its arrival (in)');
    const notes = await rowsOnPage(page).locator('.c-notes').allTextContents();
    expect(notes.filter((n) => n.includes('replay of dlv_live_19'))).toHaveLength(1);
  });

  it('edits and replays: a schema error shows as it is typed, then a valid edit is sent, signed, to another listener that verifies it', async () => {
    await page.locator('input[name=filter]').fill('event:catalog.product.created in');
    await page.keyboard.press('Enter');
    await until(async () => (await rowsOnPage(page).count()) === 2, 10_000, 'the two catalog.product.created');
    await rowsOnPage(page).last().click();
    await until(async () => (await page.locator('.detail h2').textContent()) === 'catalog.product.created');
    await page.keyboard.press('e');

    const body = page.locator('textarea[name=body]');
    const envelope = JSON.parse(sampleBody('catalog.product.created').toString()) as { data: Record<string, unknown> };
    await body.fill(JSON.stringify({ ...envelope, data: { ...envelope.data, price: 'free' } }, null, 2));
    await page.getByTestId('schema-problems').waitFor();
    expect(await page.getByTestId('edit-checks').textContent()).toContain('data.price: must be number (type)');
    await screenshot(page, 'inspector', 'edit-replay-schema-error');
    await body.fill('{"event": "catalog.product.created",');
    await until(async () => /line 1, column \d+: /.test((await page.getByTestId('edit-checks').textContent()) ?? ''));
    expect(await page.getByRole('button', { name: /^Send/ }).isDisabled()).toBe(true);

    const edited = JSON.stringify({ ...envelope, data: { ...envelope.data, price: 12.5 } }, null, 2);
    await body.fill(edited);
    await page.getByTestId('schema-ok').waitFor();
    await page.locator('input[name=target]').fill(other.url);
    await page.locator('textarea[name=headers]').fill('User-Agent: inspector-test/1\nX-Tenant: acme');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const result = page.getByTestId('replay-result');
    await result.waitFor();
    const line = (await result.textContent())!;
    expect(line).toMatch(/^✓ replayed an edited dlv_live_\d+ as dlv_\w+ to http:\/\/127\.0\.0\.1:\d+\/webhook → 200$/);
    const deliveryId = /as (dlv_\w+)/.exec(line)![1]!;

    // The other listener verified the signature of exactly the bytes typed.
    const shown = await until(async () => {
      const r = await spawnCli(['history', 'show', deliveryId, '--json', '--db', other.dbPath]);
      return r.exitCode === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined;
    });
    expect(shown).toMatchObject({ direction: 'in', status: 200, signature_valid: true });
    expect(JSON.stringify(shown)).toContain('12.5');
    const headers = shown.request_headers as Record<string, string>;
    expect(headers['x-tenant']).toBe('acme');
    expect(headers['user-agent']).toBe('inspector-test/1');
    await page.keyboard.press('Escape');
  });

  it('copies a delivery as a curl command that, run, is received and verified again', async () => {
    await page.locator('input[name=filter]').fill('dlv_live_03');
    await page.keyboard.press('Enter');
    await until(async () => (await rowsOnPage(page).count()) === 1, 10_000, 'dlv_live_03');
    await rowsOnPage(page).first().click();
    await until(async () => (await page.locator('.detail h2 + p').textContent())?.includes('dlv_live_03'));
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    const command = await page.locator('textarea.curl-command').inputValue();
    // Evaluated in the page (as text: the tests are compiled without the DOM's types).
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command);
    expect(command).toMatch(/^curl -sS -X POST 'http:\/\/127\.0\.0\.1:\d+\/webhook' /);
    expect(command).toContain("-H 'x-webhook-signature: sha256=");

    const run = await execa('bash', ['-c', command], { reject: false });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ received: true, delivery_id: 'dlv_live_03' });
    // The same delivery id again: received, verified, and flagged as a duplicate.
    await until(async () => (await rowsOnPage(page).count()) === 2, 10_000, 'the curl request in the list');
    await expect(rowsOnPage(page).first().locator('.c-notes').textContent()).resolves.toBe('duplicate');
    await expect(rowsOnPage(page).first().locator('.c-sig').textContent()).resolves.toBe('✓');
    await page.keyboard.press('Escape');
  });

  it('compares two marked deliveries (x and c) and exports them as fixtures', async () => {
    await page.locator('input[name=filter]').fill('');
    await page.keyboard.press('Enter');
    await until(async () => (await rowsOnPage(page).count()) >= 20, 10_000, 'the whole list');
    await page.locator('tr.row[data-id="1"]').click();
    await page.keyboard.press('x');
    await page.locator('tr.row[data-id="2"]').click();
    await page.keyboard.press('x');
    await page.keyboard.press('c');
    const bodies = page.getByTestId('body-diff');
    await bodies.waitFor();
    expect(await bodies.locator('.d-removed').count()).toBeGreaterThan(0);
    expect(await bodies.locator('.d-added').count()).toBeGreaterThan(0);
    const headers = await page.getByTestId('headers-diff').textContent();
    expect(headers).toContain('− x-webhook-delivery: dlv_live_00');
    expect(headers).toContain('+ x-webhook-delivery: dlv_live_01');
    await page.keyboard.press('Escape');

    const dir = join(tempDir(), 'fixtures');
    await page.getByRole('button', { name: /^Export/ }).click();
    await page.locator('input[name=dir]').fill(dir);
    await page.locator('.dialog.export button[type=submit]').click();
    await until(async () => /wrote 2 fixtures/.test((await page.getByTestId('message').textContent()) ?? ''));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      fixtures: Array<{ delivery_id: string; file: string }>;
    };
    expect(manifest.fixtures.map((f) => f.delivery_id).sort()).toEqual(['dlv_live_00', 'dlv_live_01']);
    const first = manifest.fixtures.find((f) => f.delivery_id === 'dlv_live_00')!;
    expect(readFileSync(join(dir, first.file))).toEqual(sampleBody(EVENT_TYPES[0]!));
  });

  it('shows a body as text, never as HTML', async () => {
    const body = Buffer.from(
      JSON.stringify({
        event: 'customer.cart.added',
        timestamp: '2026-01-01T00:00:00Z',
        data: { note: '<img src=x onerror="document.title=`pwned`"><b>bold</b>' },
      }),
    );
    expect(await deliver(main.url, 'customer.cart.added', 'dlv_markup', body)).toBe(200);
    await page.locator('input[name=filter]').fill('dlv_markup');
    await page.keyboard.press('Enter');
    await until(async () => (await rowsOnPage(page).count()) === 1, 10_000, 'the row');
    await rowsOnPage(page).first().click();
    // The request's body is the last on the page (after the answer's).
    await page.getByRole('tab', { name: 'Raw' }).last().click();
    expect(await page.locator('pre.raw').last().textContent()).toContain('<img src=x onerror=');
    expect(await page.locator('.detail img, .detail b').count()).toBe(0);
    expect(await page.title()).toBe('webhooks-cli inspector');
  });

  it('reads well at 1280×800 and at 390×844, in screenshots kept for a person to look at', async () => {
    await page.locator('input[name=filter]').fill('');
    await page.keyboard.press('Enter');
    await until(async () => (await rowsOnPage(page).count()) >= 20, 10_000, 'the whole list');
    await page.locator('tr.row[data-id="21"] .c-time').click();
    await until(async () => (await page.locator('.detail h2 + p').textContent())?.includes('dlv_bad_signature'));
    await screenshot(page, 'inspector', 'desktop-1280x800');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inspector', 'desktop-1280x800-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.press('Escape'); // the list, with the detail closed
    await page.getByRole('columnheader', { name: 'Status' }).waitFor();
    await screenshot(page, 'inspector', 'phone-390x844-list');
    // The list fits the width: no sideways scrolling.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.keyboard.press('Enter');
    await page.locator('.detail .back').waitFor({ state: 'visible' });
    await screenshot(page, 'inspector', 'phone-390x844-detail');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.locator('.detail .back').click();
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(browser.errors).toEqual([]);
  });

  it('refuses a foreign Host, a missing or wrong token, and a change from another origin', async () => {
    const inspector = new URL(main.inspectorUrl!);
    const token = inspector.searchParams.get('token')!;
    const base = `http://${inspector.host}`;
    const call = async (
      path: string,
      init: { method?: string; headers?: Record<string, string>; body?: string } = {},
    ) => {
      const { request } = await import('node:http');
      return await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${base}${path}`, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(init.body);
      });
    };
    const page1 = await call('/api/rows?limit=1', { headers: { 'x-inspector-token': token } });
    expect(page1.status).toBe(200);

    // DNS rebinding: a page on another name that resolves here still names itself in Host.
    const rebound = await call('/', { headers: { host: `attacker.example:${inspector.port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('is not an address this inspector is served on');
    expect(
      (await call('/api/rows', { headers: { host: `attacker.example:${inspector.port}`, 'x-inspector-token': token } }))
        .status,
    ).toBe(403);
    expect((await call('/api/rows')).status).toBe(403);
    expect((await call('/api/rows', { headers: { 'x-inspector-token': 'x'.repeat(32) } })).status).toBe(403);
    expect((await call(`/api/live?token=wrong`)).status).toBe(403);

    const replay = (headers: Record<string, string>) =>
      call('/api/rows/1/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    expect((await replay({ origin: base })).status).toBe(403); // no token
    const foreign = await replay({ 'x-inspector-token': token, origin: 'http://attacker.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain("must come from the inspector's own page");
    expect((await replay({ 'x-inspector-token': token })).status).toBe(403); // no Origin at all
    const exported = await call('/api/export', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-inspector-token': token, origin: 'null' },
      body: JSON.stringify({ ids: [1], dir: tempDir() }),
    });
    expect(exported.status).toBe(403);

    // From the page itself, with its token and origin, the same call works.
    const fromPage = await page.evaluate(`(async () => {
      const token = sessionStorage.getItem('webhooks-cli-inspector-token');
      const r = await fetch('/api/rows/1/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-inspector-token': token },
        body: '{}',
      });
      return r.status;
    })()`);
    expect(fromPage).toBe(200);

    const shell = await fetch(base);
    expect(shell.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(await shell.text()).not.toMatch(/<script>|<style>|style=/);
  });
});
