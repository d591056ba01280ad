/**
 * Every human-readable output that shows what a sender, an app, a relay or an API chose shows its
 * control characters as escapes (format/terminal-text.ts), so none can set a terminal's title,
 * move its cursor or rewrite a line. One hostile record, every output.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Attempt, WebhookView } from '../../src/api/api-types.js';
import { formatRecord, historyTable } from '../../src/commands/history-output.js';
import { attemptsTable, webhooksTable } from '../../src/commands/webhook-output.js';
import { replayAction } from '../../src/delivery/replay-action.js';
import { palette } from '../../src/format/display.js';
import { checkLine, humanSummary } from '../../src/smoke/smoke-report.js';
import type { SmokeReport } from '../../src/smoke/smoke-run.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { formatRequestLine, relayLine } from '../../src/ui/request-line.js';
import { detailLines } from '../../src/ui/tui/detail-lines.js';
import { rowCells } from '../../src/ui/tui/row-format.js';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/run-cli.js';
import { startRecordingServer } from '../helpers/servers.js';

const TITLE = '\u001b]2;pwned\u0007';
/** Any control character but a line break (and tab, which multi-line outputs keep). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_IN_LINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, line breaks included
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function hostile(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord & { id: number } {
  return {
    id: 7,
    direction: 'in',
    source: 'relay',
    createdAt: Date.UTC(2026, 0, 1),
    event: `${TITLE}catalog.product.created`,
    deliveryId: `dlv_${TITLE}\r\u009b2J`,
    method: 'POST',
    url: '/webhook',
    remoteAddress: '127.0.0.1',
    requestHeaders: { 'x-webhook-delivery': `dlv_${TITLE}`, [`x-${TITLE}`]: `a\rb${TITLE}` },
    requestBody: Buffer.from(`{"event":"\\u001b]2;pwned\\u0007","note":"\u0085\u009d"}`),
    status: 401,
    responseHeaders: { 'x-app': `${TITLE}` },
    responseBody: Buffer.from(`not json ${TITLE}\r\nsecond line`),
    durationMs: 1,
    error: `the body is not valid JSON (Unexpected token '${TITLE}')`,
    signatureValid: false,
    signatureError: `no signature ${TITLE}`,
    duplicate: false,
    replayOf: null,
    schemaValid: false,
    schemaErrors: [{ path: `/data/${TITLE}`, rule: 'type', message: `must be string ${TITLE}` }],
    listenerUrl: 'http://127.0.0.1:3000/webhook',
    ...overrides,
  };
}

describe('received text in human-readable output', () => {
  it("listen's plain line and relay line", () => {
    const line = formatRequestLine(hostile(), true);
    // Colours are the line's own ESC; the sender's show as text.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes are what is removed
    expect(line.replace(/\u001b\[\d+m/g, '')).not.toMatch(CONTROL);
    expect(line).toContain('\\u001b]2;pwned\\u0007catalog.product.created');
    expect(formatRequestLine(hostile(), false)).not.toMatch(CONTROL);
    expect(relayLine({ state: 'connected', publicUrl: `https://relay/${TITLE}`, message: `hi\r${TITLE}` })).not.toMatch(
      CONTROL,
    );
  });

  it('the history table and history show', () => {
    const record = hostile();
    const table = historyTable([{ ...record, bodySize: record.requestBody.length }], false);
    expect(table).not.toMatch(CONTROL_IN_LINE);
    expect(table.split('\n')).toHaveLength(2);
    const page = formatRecord(record);
    expect(page).not.toMatch(CONTROL_IN_LINE);
    expect(page).toContain('\\u001b]2;pwned\\u0007');
    // The bodies keep their own line breaks; a CR in one is shown, not obeyed.
    expect(page).toContain('not json \\u001b]2;pwned\\u0007\\r\n  second line');
  });

  it("the TUIs' rows and detail view", () => {
    const cells = rowCells(hostile());
    for (const value of Object.values(cells)) if (typeof value === 'string') expect(value).not.toMatch(CONTROL);
    for (const line of detailLines(hostile(), { secrets: ['s3cret'] })) expect(line.text).not.toMatch(CONTROL);
    for (const line of detailLines(hostile())) expect(line.text).not.toMatch(CONTROL);
  });

  it("the TUIs' replay result line", async () => {
    const app = await startRecordingServer(() => ({ status: 200 }));
    try {
      const replay = replayAction({ secret: 'k', noSecretHint: '', record: () => {} });
      const sent = await replay(hostile({ event: 'catalog.product.created', listenerUrl: `${app.url}/webhook` }));
      expect(sent).toMatch(/^✓ replayed dlv_\\u001b\]2;pwned\\u0007\\r\\u009b2J as dlv_/);
      expect(sent).not.toMatch(CONTROL);
      // An event no header can carry (read from an unsigned body) is refused, in words, not sent.
      const unsendable = await replay(hostile({ listenerUrl: `${app.url}/webhook` }));
      expect(unsendable).toMatch(
        /^replay failed: .* has an event type that cannot be sent as an X-Webhook-Event header/,
      );
      expect(unsendable).not.toMatch(CONTROL);
      expect(app.requests).toHaveLength(1);
      const refused = await replay(hostile({ listenerUrl: null }));
      expect(refused).toMatch(/^replay failed: /);
      expect(refused).not.toMatch(CONTROL);
    } finally {
      await app.close();
    }
  });

  it("smoke's check lines and summary", () => {
    const failed = {
      id: 'signature.missing',
      group: 'signature',
      title: 'a delivery without a signature is rejected',
      expect: '4xx',
      passed: false,
      notRun: false,
      reason: `--processed-count command printed "${TITLE}", not a whole number`,
      warnings: [`slow ${TITLE}`],
      latencyMs: 1,
      exchanges: [],
    } as unknown as SmokeReport['checks'][number];
    expect(checkLine(failed)).not.toMatch(CONTROL);
    expect(checkLine({ ...failed, passed: true })).not.toMatch(CONTROL);
    const report = {
      url: 'http://127.0.0.1:1/webhook',
      checks: [failed],
      patterns: [],
      ok: false,
      passed: 0,
      failed: 1,
      warned: 0,
      notRun: 0,
      durationMs: 1,
    } as unknown as SmokeReport;
    expect(humanSummary(report, palette(false), 100)).not.toMatch(CONTROL_IN_LINE);
  });

  it("what an API answered: the webhooks and deliveries tables, and trigger's line for a relay's own answer", async () => {
    const webhook = {
      id: `wh_${TITLE}`,
      url: `http://127.0.0.1/${TITLE}`,
      events: ['catalog.product.created'],
      active: false,
      debugMode: false,
      disabledReason: `too many failures ${TITLE}`,
    } as unknown as WebhookView;
    expect(webhooksTable([webhook])).not.toMatch(CONTROL_IN_LINE);
    const attempt = {
      timestamp: null,
      deliveryId: `dlv_${TITLE}`,
      event: 'catalog.product.created',
      attempt: 1,
      status: 'failed',
      responseStatus: 500,
      durationMs: 1,
      error: `the receiver said ${TITLE}`,
      duplicate: false,
    } as unknown as Attempt;
    expect(attemptsTable([attempt])).not.toMatch(CONTROL_IN_LINE);

    const relay = await startRecordingServer(() => ({
      status: 503,
      headers: { 'x-relay-error': 'no listener', 'content-type': 'application/json' },
      body: JSON.stringify({ error: { message: `no listener ${TITLE}\r` } }),
    }));
    try {
      const sent = await runCli(['trigger', 'catalog.product.created', '--to', relay.url, '--secret', 's']);
      expect(sent.code).toBe(1);
      expect(sent.stdout).toContain('relay: no listener \\u001b]2;pwned\\u0007\\r');
      expect(sent.stdout).not.toMatch(CONTROL_IN_LINE);
      expect(sent.stderr).not.toMatch(CONTROL_IN_LINE);
    } finally {
      await relay.close();
    }
  });

  it('--json outputs: the same JSON, with no raw C1 control or line separator (which JSON.stringify leaves)', async () => {
    const configDir = tempDir();
    const store = HistoryStore.open(join(configDir, 'history.db'));
    store.insert(hostile({ deliveryId: 'dlv_\u009b2J\u2028x' }));
    store.close();
    for (const args of [
      ['history', '--json'],
      ['history', 'show', '1', '--json'],
      ['history', 'export'],
    ]) {
      const out = await runCli(args, { configDir });
      expect(out.code, args.join(' ')).toBe(0);
      expect(out.stdout, args.join(' ')).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
      expect(out.stdout).toContain('dlv_\\u009b2J\\u2028x');
    }
  });
});
