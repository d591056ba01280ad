/**
 * The doctor against PHP (its built-in server), Ruby (WEBrick) and Go (net/http, built here from
 * the standard library) receivers as real processes, each right and with its stack's habit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Diagnosed, diagnose, expectCause, SECRET } from '../helpers/doctor-cases.js';
import { type FixtureApp, startFixtureFile } from '../helpers/fixture-app.js';
import { skipWithout } from '../helpers/required-program.js';

const apps: FixtureApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.stop())));

/** Starts `file` once and diagnoses each of `routes` at once. */
function diagnoseRoutes(file: string, routes: Record<string, string>, env: Record<string, string> = {}) {
  const d: Record<string, Diagnosed> = {};
  beforeAll(async () => {
    const app = await startFixtureFile(file, file.endsWith('.php') ? [] : [SECRET], env);
    apps.push(app);
    const results = await Promise.all(Object.values(routes).map((path) => diagnose(app.url(path))));
    for (const [i, name] of Object.keys(routes).entries()) d[name] = results[i]!;
  }, 180_000);
  return d;
}

describe.skipIf(skipWithout('php', ['--version'], 'php-cli'))("PHP's built-in server", () => {
  const d = diagnoseRoutes(
    'php_receiver.php',
    { input: '/webhook', reserialised: '/webhook-reserialised', trimmed: '/webhook-trimmed' },
    { WEBHOOK_SECRET: SECRET },
  );
  it("file_get_contents('php://input') verifies: ok", () => expectCause(d.input!, 'ok'));
  it('json_encode(json_decode($payload)): reserialised-php, naming php://input', () => {
    expectCause(d.reserialised!, 'reserialised-php');
    expect(d.reserialised!.report.fix).toContain("file_get_contents('php://input')");
  });
  it('trim($payload): body-trimmed', () => expectCause(d.trimmed!, 'body-trimmed'));
});

describe.skipIf(skipWithout('ruby', ['--version']))('Ruby on WEBrick', () => {
  const d = diagnoseRoutes('ruby_receiver.rb', { body: '/webhook', reserialised: '/webhook-reserialised' });
  it('request.body verifies: ok', () => expectCause(d.body!, 'ok'));
  it('JSON.parse(body).to_json: reserialised-compact, naming Ruby and request.body.read', () => {
    expectCause(d.reserialised!, 'reserialised-compact');
    expect(d.reserialised!.report.summary).toContain('to_json');
    expect(d.reserialised!.report.fix).toContain('request.body.read');
  });
});

describe.skipIf(skipWithout('go', ['version'], 'golang-go'))('Go net/http', () => {
  const d = diagnoseRoutes('go_receiver.go', {
    readAll: '/webhook',
    reserialised: '/webhook-reserialised',
    bareHex: '/webhook-bare-hex',
  });
  it('io.ReadAll(r.Body) verifies: ok', () => expectCause(d.readAll!, 'ok'));
  it('json.Marshal of the decoded map: reserialised-go, naming io.ReadAll', () => {
    expectCause(d.reserialised!, 'reserialised-go');
    expect(d.reserialised!.report.fix).toContain('io.ReadAll(r.Body)');
  });
  it('the bare hex digest: signature-no-prefix', () => expectCause(d.bareHex!, 'signature-no-prefix'));
});
