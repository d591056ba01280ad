/**
 * `smoke` as a process: stopped by a signal mid-run it keeps what it sent, and `--wait` waits for
 * a receiver that starts after it. Its checks and reports are tested in-process (test/commands).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/core/signature.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { freePort, type Responder, startRecordingServer } from '../helpers/servers.js';
import { until } from '../helpers/until.js';

const SECRET = 's3cret';
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(respond: Responder) {
  const s = await startRecordingServer(respond);
  cleanups.push(() => s.close());
  return s;
}

function smoke(url: string, extra: string[] = [], dir = tempDir()) {
  return spawnCli(['--db', join(dir, 'history.db'), 'smoke', '--url', url, '--secret', SECRET, ...extra], {
    configDir: dir,
    timeout: 20_000,
  });
}

describe('smoke as a process', () => {
  it('keeps the requests already sent in the history when stopped with SIGTERM', async () => {
    // Answers the first three deliveries, then hangs, so the run is mid-way when stopped.
    let answered = 0;
    const receiver = await server(() => ({ status: 200, delayMs: ++answered > 3 ? 60_000 : 0 }));
    const dir = tempDir();
    const run = smoke(receiver.url, ['--timeout', '30s'], dir);
    // Four checks at a time: three answered, so their workers have recorded them and sent three
    // more, which hang with the fourth.
    await until(() => receiver.requests.length >= 7, 15_000, 'the seventh delivery sent');
    run.kill('SIGTERM');
    const stopped = await run;
    // As trigger: the requests still hanging get 2 s, then are cut off and recorded as interrupted.
    expect(stopped.exitCode).toBe(143);
    expect(stopped.stderr).toMatch(/^interrupted: 3 of \d+ checks finished/m);
    const history = await spawnCli(['--db', join(dir, 'history.db'), '--json', 'history', '--direction', 'out'], {
      configDir: dir,
    });
    const rows = JSON.parse(history.stdout) as Array<{ source: string; status: number | null; error: string | null }>;
    expect(rows.every((r) => r.source === 'smoke')).toBe(true);
    expect(rows.filter((r) => r.status === 200)).toHaveLength(3);
    const cut = rows.filter((r) => r.status !== 200);
    expect(cut.length).toBeGreaterThanOrEqual(4);
    expect(cut.every((r) => r.status === null && r.error === 'interrupted')).toBe(true);
  });

  it('--wait waits for a receiver that starts late', async () => {
    const port = await freePort();
    const run = smoke(`http://127.0.0.1:${port}/webhook`, [
      '--events',
      'catalog.product.created',
      '--wait',
      '10s',
      '--json',
    ]);
    // The receiver starts once smoke is waiting for it, not before.
    let stderr = '';
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until(() => stderr.includes('waiting up to'), 10_000, 'smoke waiting');
    const { createServer } = await import('node:http');
    const late = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ok = verify(Buffer.concat(chunks), req.headers['x-webhook-signature'], [SECRET]).valid;
        res.writeHead(ok ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => late.close(resolve)));
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, receiver_reachable: true, passed: 14 });
  });
});
