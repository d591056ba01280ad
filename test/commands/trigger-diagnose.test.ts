/**
 * `trigger` after a 401: the exact `doctor` command to run, or with --diagnose the doctor's
 * verdict — the same one `smoke` leads with — against a re-serialising receiver run as a process.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { type ReceiverProcess, startReceiverProcess } from '../helpers/receiver-process.js';
import { runCli } from '../helpers/run-cli.js';

const SECRET = 's3cret-value';
let app: ReceiverProcess;
beforeAll(async () => {
  app = await startReceiverProcess('reserialising-app.mjs', [SECRET]);
});
afterAll(() => app.stop());

/** The platform document's pretty-printed example: JSON.stringify(req.body) does not give it back. */
const PRETTY = ['catalog.product.created', '--pretty'];

describe('trigger rejected by a receiver that re-serialises the body', () => {
  it('ends with the doctor command to run, secret masked; that command names the cause', async () => {
    const run = await runCli(['trigger', ...PRETTY, '--to', app.url, '--secret', SECRET]);
    expect(run.code).toBe(1);
    const last = run.stderr.split('\n').at(-1)!;
    expect(last).toBe(
      `to find out why, run: webhooks-cli doctor --url ${app.url} --secret 's3********'  (your secret in place of the masked one), or pass --diagnose`,
    );
    expect(run.stderr).not.toContain(SECRET);
    expect(run.stderr).not.toMatch(/same secret/);

    const command = last
      .replace(/^to find out why, run: webhooks-cli /, '')
      .replace(/ {2}\(.*$/, '')
      .split(' ');
    const doctor = await runCli(command.map((w) => (w === "'s3********'" ? SECRET : w)));
    expect(doctor.stdout).toMatch(/^✗ reserialised-compact: /);
  });

  it('with the secret from the environment, the command leaves --secret out: doctor finds it the same way', async () => {
    const run = await runCli(['trigger', ...PRETTY, '--to', app.url], { env: { WEBHOOKS_SECRET: SECRET } });
    expect(run.stderr.split('\n').at(-1)).toBe(
      `to find out why, run: webhooks-cli doctor --url ${app.url}, or pass --diagnose`,
    );
  });

  it("--diagnose ends with the doctor's verdict, the one smoke leads with, and --json carries it", async () => {
    const dir = tempDir();
    const db = join(dir, 'history.db');
    const [trigger, json, smoke] = await Promise.all([
      runCli(['--db', db, 'trigger', ...PRETTY, '--to', app.url, '--secret', SECRET, '--diagnose'], { configDir: dir }),
      runCli(['trigger', ...PRETTY, '--to', app.url, '--secret', SECRET, '--diagnose', '--json']),
      runCli(['smoke', '--url', app.url, '--secret', SECRET, '--events', 'catalog.product.created', '--json']),
    ]);
    expect(trigger.code).toBe(1);
    const verdict = trigger.stderr.split('\n').at(-1)!;
    expect(verdict).toMatch(/^doctor: reserialised-compact: your receiver computes the HMAC over JSON\.stringify/);
    expect(verdict).toContain("express.raw({ type: 'application/json' })");
    expect(JSON.parse(smoke.stdout).patterns[0].message).toBe(verdict);
    expect(JSON.parse(json.stdout).diagnosis).toMatchObject({ verdict: 'broken', cause: 'reserialised-compact' });

    const history = JSON.parse((await runCli(['--db', db, 'history', '--json'], { configDir: dir })).stdout) as Array<{
      source: string;
    }>;
    expect(history.filter((r) => r.source === 'trigger')).toHaveLength(1);
    expect(history.filter((r) => r.source === 'doctor').length).toBeGreaterThan(1);
  });

  it('a delivery accepted needs no diagnosis: nothing more is said or sent', async () => {
    const run = await runCli(['trigger', 'catalog.product.created', '--to', app.url, '--secret', SECRET, '--diagnose']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});
