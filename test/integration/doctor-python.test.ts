/**
 * The doctor against Python receivers as real processes: Flask, Django and FastAPI apps written
 * as their documentation shows (Debian's python3-flask, python3-django, python3-fastapi and
 * python3-uvicorn), each right and with its stack's typical mistake; a secret read from a file
 * with its newline; the platform document's catch-all handler; a System.Text.Json stand-in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { type Diagnosed, diagnose, expectCause, SECRET } from '../helpers/doctor-cases.js';
import { type FixtureApp, skipWithoutPythonModule, startFixtureFile } from '../helpers/fixture-app.js';
import { skipWithout } from '../helpers/required-program.js';

const apps: FixtureApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.stop())));
const start = async (file: string, args: string[] = [SECRET]) => {
  const app = await startFixtureFile(file, args);
  apps.push(app);
  return app;
};

describe.skipIf(skipWithoutPythonModule('flask', 'python3-flask'))('Flask', () => {
  const d: Record<string, Diagnosed> = {};
  beforeAll(async () => {
    const app = await start('flask_receiver.py');
    [d.raw, d.dumps, d.flaskJson, d.otherSecret] = await Promise.all([
      diagnose(app.url('/webhook')),
      diagnose(app.url('/webhook-json-dumps')),
      diagnose(app.url('/webhook-flask-json')),
      diagnose(app.url('/webhook'), 'whsec_AAAAbbbbCCCCddddEEEEffffGGGGhhhh'),
    ]);
  }, 60_000);

  it('request.get_data() verifies: ok, no false alarm', () => expectCause(d.raw!, 'ok'));
  it('json.dumps(request.json): reserialised-python, with the Flask, Django and FastAPI fixes', () => {
    expectCause(d.dumps!, 'reserialised-python');
    expect(d.dumps!.report.summary).toContain('json.dumps(json.loads(body))');
    expect(d.dumps!.report.fix).toContain('request.get_data()');
    expect(d.dumps!.report.fix).toContain('await request.body()');
  });
  it('flask.json.dumps(request.get_json()): reserialised-python-sorted', () =>
    expectCause(d.flaskJson!, 'reserialised-python-sorted'));
  it('another secret: wrong-secret, after trying every hypothesis', () => {
    expectCause(d.otherSecret!, 'wrong-secret');
    expect(d.otherSecret!.report.tried.length).toBeGreaterThan(15);
    expect(d.otherSecret!.report.summary).toMatch(/re-serialisations, the secret with whitespace, base64-decoded/);
  });
});

describe.skipIf(skipWithoutPythonModule('django', 'python3-django'))('Django', () => {
  const d: Record<string, Diagnosed> = {};
  beforeAll(async () => {
    const app = await start('django_receiver.py');
    [d.body, d.reserialised] = await Promise.all([
      diagnose(app.url('/webhook')),
      diagnose(app.url('/webhook-reserialised')),
    ]);
  }, 60_000);

  it('request.body verifies: ok', () => expectCause(d.body!, 'ok'));
  it('json.dumps(json.loads(request.body)): reserialised-python, naming request.body', () => {
    expectCause(d.reserialised!, 'reserialised-python');
    expect(d.reserialised!.report.fix).toContain('Django request.body');
  });
});

describe.skipIf(
  skipWithoutPythonModule('fastapi', 'python3-fastapi') || skipWithoutPythonModule('uvicorn', 'python3-uvicorn'),
)('FastAPI on uvicorn', () => {
  const d: Record<string, Diagnosed> = {};
  beforeAll(async () => {
    const app = await start('fastapi_receiver.py');
    [d.body, d.compact] = await Promise.all([diagnose(app.url('/webhook')), diagnose(app.url('/webhook-compact'))]);
  }, 60_000);

  it('await request.body() verifies: ok', () => expectCause(d.body!, 'ok'));
  it('json.dumps(payload, separators=(",", ":")): reserialised-python-compact, not latin-1', () => {
    expectCause(d.compact!, 'reserialised-python-compact');
    expect(d.compact!.report.summary).not.toMatch(/latin/i);
  });
});

describe.skipIf(skipWithout('python3', ['--version']))('stdlib receivers', () => {
  const d: Record<string, Diagnosed> = {};
  beforeAll(async () => {
    const secretFile = join(tempDir(), 'webhook.secret');
    writeFileSync(secretFile, `${SECRET}\n`);
    const [fromFile, catchAll, dotnet] = await Promise.all([
      start('secret_file_receiver.py', [secretFile]),
      start('flask_handler.py'),
      start('dotnet_style_receiver.py'),
    ]);
    [d.fromFile, d.catchAll, d.dotnet] = await Promise.all([
      diagnose(fromFile.url()),
      diagnose(catchAll.url()),
      diagnose(dotnet.url()),
    ]);
  }, 60_000);

  it('a secret read from a file with its trailing newline: secret-whitespace, with the Python fix', () => {
    expectCause(d.fromFile!, 'secret-whitespace');
    expect(d.fromFile!.report.summary).toContain('trailing newline');
    expect(d.fromFile!.report.fix).toContain('.strip()');
  });
  it("the platform document's catch-all handler: accepts-anything, after three requests", () => {
    expectCause(d.catchAll!, 'accepts-anything');
    expect(d.catchAll!.report.tried.map((t) => t.experiment.hypothesis)).toEqual([
      'baseline',
      'wrong-signature',
      'no-signature',
    ]);
  });
  it('System.Text.Json re-serialisation (a stand-in): reserialised-dotnet', () =>
    expectCause(d.dotnet!, 'reserialised-dotnet'));
});
