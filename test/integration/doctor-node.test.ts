/**
 * The doctor against Node receivers as real processes: Express, Fastify and Hono apps written as
 * their documentation shows, each right and with JSON.stringify(parsed body); and the habits of
 * other platforms' guides: a base64 digest, GitHub's header, a Latin-1 body, a "whsec_" secret
 * base64-decoded or stripped. And a port nothing listens on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Diagnosed, diagnose, expectCause, SECRET } from '../helpers/doctor-cases.js';
import { type FixtureApp, freePort, startFixtureFile } from '../helpers/fixture-app.js';

const apps: FixtureApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.stop())));
const d: Record<string, Diagnosed> = {};

beforeAll(async () => {
  const start = async (file: string) => {
    const app = await startFixtureFile(file, [SECRET]);
    apps.push(app);
    return app;
  };
  const [express, fastify, hono, base64, hub, latin1, whsec] = await Promise.all(
    [
      'express-receiver.mjs',
      'fastify-receiver.mjs',
      'hono-receiver.mjs',
      'base64-signature-app.mjs',
      'hub-signature-app.mjs',
      'latin1-app.mjs',
      'whsec-secret-app.mjs',
    ].map(start),
  );
  const cases: Record<string, string> = {
    expressRaw: express!.url('/webhook'),
    expressVerifyHook: express!.url('/webhook-verify-hook'),
    expressJson: express!.url('/webhook-reserialised'),
    fastifyRaw: fastify!.url('/webhook'),
    fastifyParsed: fastify!.url('/webhook-reserialised'),
    honoText: hono!.url('/webhook'),
    honoJson: hono!.url('/webhook-reserialised'),
    base64: base64!.url(),
    hub: hub!.url(),
    latin1: latin1!.url(),
    base64Key: whsec!.url('/webhook-base64-key'),
    prefixStripped: whsec!.url('/webhook-prefix-stripped'),
    unreachable: `http://127.0.0.1:${await freePort()}/webhook`,
  };
  const results = await Promise.all(Object.values(cases).map((url) => diagnose(url)));
  for (const [i, name] of Object.keys(cases).entries()) d[name] = results[i]!;
}, 60_000);

describe('Express', () => {
  it("express.raw({ type: 'application/json' }) verifies: ok", () => expectCause(d.expressRaw!, 'ok'));
  it("express.json's verify hook keeps the raw bytes: ok", () => expectCause(d.expressVerifyHook!, 'ok'));
  it('JSON.stringify(req.body): reserialised-compact, naming express.raw and the verify hook', () => {
    expectCause(d.expressJson!, 'reserialised-compact');
    expect(d.expressJson!.report.summary).toContain('JSON.stringify(JSON.parse(body))');
    expect(d.expressJson!.report.fix).toContain("express.raw({ type: 'application/json' })");
    expect(d.expressJson!.report.fix).toContain('verify hook of express.json');
  });
});

describe('Fastify', () => {
  it("a content-type parser with parseAs: 'buffer' verifies: ok", () => expectCause(d.fastifyRaw!, 'ok'));
  it('JSON.stringify(request.body): reserialised-compact', () => {
    expectCause(d.fastifyParsed!, 'reserialised-compact');
    expect(d.fastifyParsed!.report.fix).toContain("parseAs: 'buffer'");
  });
});

describe('Hono', () => {
  it('await c.req.text() verifies: ok', () => expectCause(d.honoText!, 'ok'));
  it('JSON.stringify(await c.req.json()): reserialised-compact', () => {
    expectCause(d.honoJson!, 'reserialised-compact');
    expect(d.honoJson!.report.fix).toContain('c.req.text()');
  });
});

describe("other platforms' habits", () => {
  it('a base64 digest: signature-base64', () => expectCause(d.base64!, 'signature-base64'));
  it('X-Hub-Signature-256: signature-header', () => {
    expectCause(d.hub!, 'signature-header');
    expect(d.hub!.report.summary).toContain('X-Hub-Signature-256');
  });
  it('the body read as Latin-1 text: body-decoded-latin1', () => expectCause(d.latin1!, 'body-decoded-latin1'));
  it('the "whsec_" secret base64-decoded as the key: secret-base64', () => expectCause(d.base64Key!, 'secret-base64'));
  it('the "whsec_" prefix stripped: secret-prefix', () => expectCause(d.prefixStripped!, 'secret-prefix'));
});

it('a port nothing listens on: unreachable, after one request', () => {
  expectCause(d.unreachable!, 'unreachable');
  expect(d.unreachable!.report.tried).toHaveLength(1);
  expect(d.unreachable!.report.summary).toContain('connection refused');
});
