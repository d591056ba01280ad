/**
 * The receivers of docs/recipes/, one per framework, run as a user runs them (each file as it
 * stands, the secret and port from the environment): `smoke` passes every check against each, and
 * `trigger --all` gets 16 answers 2xx. The Next.js route handler is called by a small node:http
 * server that hands it a standard Request, as Next does, without a Next build.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { POST } from '../../docs/recipes/nextjs-route.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { DEBIAN_PYTHON, skipWithoutPythonModule, startFixtureApp } from '../helpers/fixture-app.js';
import { freePort } from '../helpers/servers.js';

const SECRET = "s3cret-with-'quote'";
const RECIPES = fileURLToPath(new URL('../../docs/recipes/', import.meta.url));
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Starts `program recipe` with PORT and WEBHOOK_SECRET, as a user runs it; returns its webhook URL. */
async function startRecipe(program: string, recipe: string): Promise<string> {
  const port = await freePort();
  const app = await startFixtureApp(program, [RECIPES + recipe], {
    port,
    env: { PORT: String(port), WEBHOOK_SECRET: SECRET, PYTHONUNBUFFERED: '1' },
    cwd: tempDir(),
  });
  cleanups.push(app.stop);
  return app.url();
}

/** The route handler behind a plain node:http server, given a standard Request as Next gives it. */
async function serveRouteHandler(handler: (request: Request) => Promise<Response>): Promise<string> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
      });
      const response =
        req.url === '/webhook' && req.method === 'POST' ? await handler(request) : new Response(null, { status: 404 });
      res.writeHead(response.status).end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
}

/** smoke (waiting for the app to start), then trigger --all: both green. */
async function expectGreen(url: string) {
  const configDir = tempDir();
  const smoke = await spawnCli(['smoke', '--url', url, '--secret', SECRET, '--wait', '60s', '--json'], {
    configDir,
    timeout: 120_000,
  });
  const report = JSON.parse(smoke.stdout || '{}') as {
    ok: boolean;
    checks: Array<{ id: string; verdict: string; reason: string }>;
  };
  expect(
    report.checks?.filter((c) => c.verdict === 'fail'),
    smoke.stderr,
  ).toEqual([]);
  expect(report.ok).toBe(true);
  expect(smoke.exitCode).toBe(0);
  const trigger = await spawnCli(['trigger', '--all', '--to', url, '--secret', SECRET], { configDir });
  expect(trigger.exitCode, trigger.stderr).toBe(0);
  expect(trigger.stdout.split('\n').filter((l) => l.startsWith('✓ 200'))).toHaveLength(16);
}

describe('the framework recipes in docs/recipes, against smoke and trigger --all', () => {
  it('Express (express.raw)', async () => {
    await expectGreen(await startRecipe(process.execPath, 'express.mjs'));
  });

  it('Fastify (a Buffer content-type parser)', async () => {
    await expectGreen(await startRecipe(process.execPath, 'fastify.mjs'));
  });

  it('Next.js route handler (request.arrayBuffer())', async () => {
    process.env.WEBHOOK_SECRET = SECRET;
    cleanups.push(() => delete process.env.WEBHOOK_SECRET);
    await expectGreen(await serveRouteHandler(POST));
  });

  it.skipIf(skipWithoutPythonModule('flask', 'python3-flask'))('Flask (request.get_data())', async () => {
    await expectGreen(await startRecipe(DEBIAN_PYTHON, 'flask_app.py'));
  });

  it.skipIf(skipWithoutPythonModule('django', 'python3-django'))('Django (request.body, csrf_exempt)', async () => {
    await expectGreen(await startRecipe(DEBIAN_PYTHON, 'django_app.py'));
  });

  it.skipIf(skipWithoutPythonModule('fastapi, uvicorn', 'python3-fastapi python3-uvicorn'))(
    'FastAPI (await request.body())',
    async () => {
      await expectGreen(await startRecipe(DEBIAN_PYTHON, 'fastapi_app.py'));
    },
  );
});
