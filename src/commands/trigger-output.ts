/** How `trigger` reports: a line (or JSON object) per request, or a load run's summary, and the seed of a run with faults. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { logLine, printJson, printLine } from '../cli/output.js';
import { configDirectory } from '../config/paths.js';
import type { SettingSource } from '../config/settings.js';
import { formatDelayRange } from '../core/fault-values.js';
import { maskSecret, redactUrl } from '../core/redact.js';
import { gatewayNote } from '../delivery/http-sender.js';
import type { FaultChoices } from '../delivery/trigger-choices.js';
import type { DeliveryOutcome } from '../delivery/trigger-service.js';
import { diagnosisJson, diagnosisLine } from '../doctor/doctor-report.js';
import type { DoctorReport } from '../doctor/doctor-run.js';
import { DEFAULT_PROBE_EVENT } from '../doctor/probe-body.js';
import { formatDuration, palette } from '../format/display.js';
import { printable, printableLines } from '../format/terminal-text.js';

export function reportDeliveries(
  ctx: CommandContext,
  outcomes: DeliveryOutcome[],
  ok: boolean,
  choices: FaultChoices,
  interrupted = false,
  diagnosis?: DoctorReport,
): void {
  if (ctx.json) {
    printJson(ctx, {
      ok,
      ...(interrupted ? { interrupted } : {}),
      ...(diagnosis ? { diagnosis: diagnosisJson(diagnosis) } : {}),
      ...choicesJson(choices),
      deliveries: outcomes.map(outcomeJson),
    });
    return;
  }
  reportSeed(ctx, choices);
  const c = palette(ctx.color);
  const width = Math.max(...outcomes.map((o) => o.event.length));
  const orderWidth = String(outcomes.length).length + 1;
  for (const o of outcomes) {
    const mark = o.ok ? c.green('✓') : c.red('✗');
    const status = o.status === undefined ? c.red('---') : o.ok ? c.green(String(o.status)) : c.red(String(o.status));
    const relay = relayError(o);
    const tail =
      o.error && o.status === undefined ? `  ${c.red(o.error)}` : relay ? `  ${c.red(`relay: ${relay}`)}` : '';
    // With faults or a scenario, the order sent and what was done to each request matter.
    const order = choices.seed !== undefined ? `${`#${o.order}`.padEnd(orderWidth)} ` : '';
    const notes = [
      o.step === undefined ? '' : `step ${o.step}`,
      o.delayMs > 0 ? `after ${o.delayMs} ms` : '',
      o.duplicate ? c.yellow('duplicate') : '',
      heldNote(o),
    ]
      .filter(Boolean)
      .join(', ');
    printLine(
      ctx,
      `${order}${mark} ${status}  ${o.event.padEnd(width)}  ${c.dim(o.deliveryId)}  ${formatDuration(o.durationMs)}${notes ? `  ${notes}` : ''}${tail}`,
    );
  }
}

/**
 * One line on stderr naming the cause most failures share, with its fix (213 refused and 4 resets
 * name the refusals), and how many failed some other way. The receiver's own words (the first line
 * of its answer) are in it; `--verbose` adds every failed answer's body in full. A load run passes
 * one outcome per way of failing with its `count`, and how many it `sent`.
 */
export function summariseFailure(
  ctx: CommandContext,
  outcomes: ReadonlyArray<DeliveryOutcome & { count?: number }>,
  how: { unsigned: boolean; pretty: boolean },
  sent = outcomes.length,
): void {
  const failed = outcomes.filter((o) => !o.ok);
  const groups = new Map<string, { why: string; count: number }>();
  let failures = 0;
  for (const o of failed) {
    const cause = failureCause(o, how);
    const group = groups.get(cause.key) ?? { why: cause.why, count: 0 };
    group.count += o.count ?? 1;
    failures += o.count ?? 1;
    groups.set(cause.key, group);
  }
  const [top, ...others] = [...groups.values()].sort((a, b) => b.count - a.count);
  const share = others.length ? ` (${top!.count} of them)` : '';
  const rest = others.length ? `; ${failures - top!.count} failed otherwise` : '';
  logLine(ctx, `error: ${failures} of ${sent} deliveries failed${share}: ${top!.why}${rest}`);
  if (ctx.verbose)
    for (const o of failed)
      if (o.status !== undefined && o.body?.length)
        logLine(
          ctx,
          `answer to ${o.deliveryId} (${o.status}):\n${printableLines(
            o.body
              .toString('utf8')
              .replace(/^\s*\n/, '')
              .trimEnd(),
          ).replace(/^/gm, '  ')}`,
        );
}

function failureCause(o: DeliveryOutcome, how: { unsigned: boolean; pretty: boolean }): { key: string; why: string } {
  if (o.status === undefined) return { key: `error:${o.errorCode ?? 'other'}`, why: o.error ?? 'no answer' };
  const relay = relayError(o);
  if (relay) return { key: `relay:${o.status}`, why: `the relay answered ${o.status}: ${relay}` };
  const hint401 = how.unsigned
    ? ' — it wants a signature; drop --unsigned'
    : how.pretty
      ? ': it rejected the signature (--pretty indents the body: a receiver that verifies re-serialised JSON rejects it)'
      : ': it rejected the signature';
  const said = answerLine(o.body);
  const gateway = gatewayNote(o, o.url);
  // Through a proxy a 502–504 may be the proxy's own: its words come after the note that says so.
  const why = gateway
    ? `the receiver answered ${o.status}${gateway}${said ? `; the answer: ${said}` : ''}`
    : `the receiver answered ${o.status}${said ? ` (${said})` : ''}${o.status === 401 ? hint401 : ''}`;
  return { key: `status:${o.status}`, why };
}

/** The first delivery the receiver itself answered 401 or 403 (a relay's own answers aside). */
export function signatureRejected(outcomes: readonly DeliveryOutcome[]): DeliveryOutcome | undefined {
  return outcomes.find((o) => (o.status === 401 || o.status === 403) && !relayError(o));
}

/**
 * After a rejected signature: the doctor's verdict (`--diagnose`), or the exact command that finds
 * out why — the secret masked, or left out when it comes from the environment or the config, where
 * `doctor` finds it too.
 */
export function reportSignatureRejected(
  ctx: CommandContext,
  {
    url,
    event,
    secret,
    diagnosis,
  }: { url: string; event: string; secret: { value: string; source: SettingSource }; diagnosis?: DoctorReport },
): void {
  if (diagnosis) {
    logLine(ctx, `doctor: ${diagnosisLine(diagnosis)}`);
    return;
  }
  const command = [
    'webhooks-cli doctor --url',
    shellWord(redactUrl(url)),
    ...(event === DEFAULT_PROBE_EVENT ? [] : ['--event', event]),
    ...(secret.source === 'flag' ? ['--secret', shellWord(maskSecret(secret.value))] : []),
  ].join(' ');
  logLine(
    ctx,
    `to find out why, run: ${command}${secret.source === 'flag' ? '  (your secret in place of the masked one)' : ''}, or pass --diagnose`,
  );
}

/** A word as a shell reads it back: quoted when it holds anything but plain characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The first line of an answer's body, quoted and cut short: what the receiver said, if anything. */
function answerLine(body: Buffer | undefined): string | undefined {
  const line = body
    ?.toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  if (!line) return undefined;
  const chars = [...line];
  const shown = printable(
    chars.length > ANSWER_LINE_CHARS ? `${chars.slice(0, ANSWER_LINE_CHARS - 1).join('')}…` : line,
  );
  // Text is quoted; JSON shows as it is (quotes around its own quotes read as a mistake).
  return /^[[{]/.test(line) ? shown : `"${shown}"`;
}
const ANSWER_LINE_CHARS = 100;

/**
 * What a relay said when it answered itself (X-Relay-Error), rather than the listener behind it;
 * `printable`, since whoever answered chose the words.
 */
/** A 202 that is not yet a delivery: a relay (or `listen --app-down hold`) keeps it for later. */
function heldNote(o: DeliveryOutcome): string {
  if (o.status !== 202) return '';
  if (o.headers?.['x-relay-held'] === 'true') return 'held by the relay: no listener is connected yet';
  try {
    if ((JSON.parse(o.body?.toString('utf8') ?? '') as { held?: unknown }).held === true)
      return 'held by listen: the app behind it is down';
  } catch {
    // Not JSON: nothing says it was held.
  }
  return '';
}

function relayError(o: DeliveryOutcome): string | undefined {
  const code = o.headers?.['x-relay-error'];
  if (!code) return undefined;
  try {
    const message = (JSON.parse(o.body?.toString('utf8') ?? '') as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string' && message) return printable(message);
  } catch {
    // Not the relay's JSON: the code says enough.
  }
  return printable(String(code));
}

/**
 * After a green `trigger --all`, once for this config folder: `smoke` checks what trigger cannot
 * (a receiver that accepts anything, or verifies a re-serialised body, passes every trigger).
 */
export async function suggestSmoke(ctx: CommandContext, url: string, secretFlag: boolean): Promise<void> {
  const marker = join(configDirectory(ctx.env), SMOKE_SUGGESTED);
  try {
    if (existsSync(marker)) return;
    writeFileSync(marker, '', { mode: 0o600 });
  } catch {
    return; // no config folder to remember it in: say nothing rather than every time
  }
  // Loaded here, once per config folder: the column code (string-width) is not on trigger's path.
  const { wrapWords } = await import('../format/columns.js');
  const why =
    'all answered 2xx. Next, smoke also sends what a receiver must reject (bad signatures) and what it must take byte for byte (pretty-printed, non-ASCII, duplicates):';
  logLine(
    ctx,
    [
      ...wrapWords(why, ctx.stderr.columns || 100),
      `  webhooks-cli smoke --url ${redactUrl(url)}${secretFlag ? ' --secret …' : ''}`,
    ].join('\n'),
  );
}
const SMOKE_SUGGESTED = 'smoke-suggested';

/** After Ctrl-C: how much of the run went out (of how many planned, when a total was), and that every request sent is recorded. */
export function reportInterrupted(ctx: CommandContext, sent: number, planned?: number): void {
  logLine(
    ctx,
    `interrupted: ${sent}${planned === undefined ? '' : ` of ${planned}`} sent, each recorded in the history (those without an answer as "interrupted")`,
  );
}

/** One request of a run as `--json` (and the MCP server's `trigger_event`) gives it. */
export function outcomeJson(o: DeliveryOutcome) {
  return {
    order: o.order,
    event: o.event,
    delivery_id: o.deliveryId,
    duplicate: o.duplicate,
    ...(o.step === undefined ? {} : { step: o.step }),
    delay_ms: o.delayMs,
    url: redactUrl(o.url),
    status: o.status ?? null,
    ok: o.ok,
    duration_ms: o.durationMs,
    error: o.error ?? null,
  };
}

/** The seed on stderr, so any run can be repeated (in --json it is in the output). */
export function reportSeed(ctx: CommandContext, choices: FaultChoices): void {
  if (choices.seed === undefined) return;
  const f = choices.faults;
  const faults = [
    choices.scenario ? `scenario ${choices.scenario}` : '',
    f.duplicates ? `duplicates ${f.duplicates}${f.concurrentDuplicates ? ' (concurrent)' : ''}` : '',
    f.shuffle ? 'shuffled' : '',
    f.jitter ? `jitter ${formatDelayRange(f.jitter)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  logLine(
    ctx,
    `seed ${choices.seed}${faults ? ` (${faults})` : ''} — pass --seed ${choices.seed} to repeat these choices`,
  );
}

export function choicesJson(choices: FaultChoices) {
  if (!choices) return {};
  const f = choices.faults;
  return {
    seed: choices.seed,
    ...(choices.scenario ? { scenario: choices.scenario } : {}),
    faults: {
      duplicates: f.duplicates ?? 0,
      concurrent_duplicates: Boolean(f.concurrentDuplicates),
      shuffle: Boolean(f.shuffle),
      jitter_ms: f.jitter ? { min: f.jitter.minMs, max: f.jitter.maxMs } : null,
    },
  };
}
