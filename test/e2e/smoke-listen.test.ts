/**
 * Dog-food: `smoke` against the tool's own receiver, `listen`, both as built CLIs. `listen`
 * must pass; `listen --no-verify` is a real permissive receiver; `--respond-delay` a real slow
 * one; and `listen --forward-to` must carry smoke's exact bytes to the example receiver.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startExampleReceiver } from '../fixture-apps/webhook-receiver.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { type RunningListener, startListen } from '../helpers/listen.js';

const SECRET = 's3cret';
const listeners: RunningListener[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (listeners.length) await listeners.pop()!.stop();
  while (cleanups.length) await cleanups.pop()!();
});

async function listen(args: string[]) {
  const l = await startListen(['--json', ...args]);
  listeners.push(l);
  return l;
}

function smoke(url: string, extra: string[] = []) {
  const dir = tempDir();
  return spawnCli(['--db', join(dir, 'history.db'), '--json', 'smoke', '--url', url, '--secret', SECRET, ...extra], {
    configDir: dir,
    timeout: 20_000,
  });
}

interface ListenLine {
  type: string;
  delivery_id?: string;
  status?: number;
  signature_valid?: boolean | null;
  duplicate?: boolean;
}

function requestLines(stdout: string): ListenLine[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ListenLine)
    .filter((l) => l.type === 'request');
}

describe('smoke against listen', () => {
  it('listen passes every check, and sees each probe as smoke meant it', async () => {
    const listener = await listen(['--secret', SECRET]);
    const run = await smoke(listener.url);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, total: 29, passed: 29 });

    const received = requestLines((await listener.stop()).stdout);
    expect(received).toHaveLength(32);
    expect(received.filter((r) => r.signature_valid === false).map((r) => r.status)).toEqual([401, 401, 401]);
    // The retry reached listen with the same delivery id and was flagged as a duplicate.
    const retryId = report.checks.find((c: { id: string }) => c.id === 'idempotency.same-delivery-twice').exchanges[0]
      .delivery_id;
    expect(received.filter((r) => r.delivery_id === retryId).map((r) => r.duplicate)).toEqual([false, true]);
    // So did one of the two copies sent at the same moment.
    const copiesId = report.checks.find((c: { id: string }) => c.id === 'idempotency.concurrent-duplicates')
      .exchanges[0].delivery_id;
    expect(
      received
        .filter((r) => r.delivery_id === copiesId)
        .map((r) => r.duplicate)
        .sort(),
    ).toEqual([false, true]);
  });

  it('listen --no-verify accepts everything, so the signature checks fail', async () => {
    const listener = await listen(['--no-verify']);
    const run = await smoke(listener.url, ['--events', 'catalog.product.created,customer.purchase.completed']);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.checks.filter((c: { passed: boolean }) => !c.passed).map((c: { id: string }) => c.id)).toEqual([
      'signature.wrong',
      'signature.missing',
      'signature.altered-body',
    ]);
  });

  it('listen --respond-delay beyond --timeout shows up as timeouts', async () => {
    const listener = await listen(['--secret', SECRET, '--respond-delay', '1500']);
    const run = await smoke(listener.url, ['--events', 'catalog.product.created', '--timeout', '500ms']);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout);
    // Valid requests are delayed past the timeout; the rejected probes are answered at once,
    // but without an accepted delivery their rejection shows nothing. The raw-body deliveries
    // time out in a row, so smoke stops there and marks the rest not run.
    const byId = Object.fromEntries(
      report.checks.map((c: { id: string; passed: boolean; reason: string }) => [c.id, c]),
    );
    expect(byId['delivery.catalog.product.created']).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/^no answer within 500 ms/),
    });
    expect(byId['signature.wrong']).toMatchObject({
      passed: false,
      reason: expect.stringMatching(
        /^answered 401, but that proves nothing: delivery\.catalog\.product\.created failed too \(no answer/,
      ),
    });
    expect(report.stopped).toBe('timeouts');
    expect(byId['robustness.non-json-body']).toMatchObject({
      passed: false,
      not_run: true,
      reason: expect.stringMatching(/^not run: the receiver is not answering in time/),
    });
  });

  it("listen --forward-to passes smoke's exact bytes to the example receiver", async () => {
    const app = await startExampleReceiver(SECRET);
    cleanups.push(() => app.close());
    const listener = await listen(['--secret', SECRET, '--forward-to', app.url]);
    const run = await smoke(listener.url);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, passed: 29 });
    // The app verified every forwarded body itself, so the bytes arrived as sent: 16 events,
    // the probe (sent twice as a retry, twice at once), six raw-body forms, the lifecycle pair.
    expect(app.processed).toHaveLength(26);
  });
});
