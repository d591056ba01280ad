/**
 * A smoke report in the three shapes the command prints: plain lines (logs, pipes), a grouped
 * human summary (terminals), JSON (`--json`), and JUnit suites (`--junit`). Pure formatting.
 */
import { diagnosisJson } from '../doctor/doctor-report.js';
import { wrapWords } from '../format/columns.js';
import { formatDuration, type Palette } from '../format/display.js';
import { printable } from '../format/terminal-text.js';
import type { CheckResult } from './check-verdict.js';
import { type JUnitSuite, junitXml } from './junit-report.js';
import { PROCESSED_COUNT_ID } from './processed-count.js';
import { GROUP_ORDER, type SmokeCheck } from './smoke-checks.js';
import type { SmokeReport } from './smoke-run.js';

function statusOf(result: CheckResult): string {
  if (result.notRun) return '---';
  const last = result.exchanges.find((e) => e.status === null) ?? result.exchanges[result.exchanges.length - 1];
  if (!last || last.status === null) return last?.errorCode ?? '---';
  return String(last.status);
}

/** PASS, WARN (passed, with a warning), FAIL or SKIP (not run). */
export function verdictOf(result: CheckResult): 'PASS' | 'WARN' | 'FAIL' | 'SKIP' {
  if (result.notRun) return 'SKIP';
  if (!result.passed) return 'FAIL';
  return result.warnings.length > 0 ? 'WARN' : 'PASS';
}

/**
 * `PASS  delivery.catalog.product.created  200  12 ms` — one line per check, stable for grep; a
 * failing payload (`--fuzz`) follows on lines of its own, wrapped at `columns`.
 */
export function checkLine(result: CheckResult, columns = 100): string {
  const verdict = verdictOf(result);
  const head = `${verdict}  ${result.id}  ${statusOf(result)}  ${formatDuration(result.latencyMs)}`;
  if (verdict === 'PASS') return head;
  // Reasons and warnings may quote the receiver's answer or the --processed-count command's output.
  const line = `${head}  ${printable(verdict === 'WARN' ? result.warnings.join('; ') : result.reason)}`;
  return result.payload === undefined ? line : [line, ...payloadLines(result.payload, columns)].join('\n');
}

/** Payloads longer than this are shown in part; the saved file has every byte. */
const PAYLOAD_SHOWN_CHARS = 2_000;

/**
 * A payload as indented lines cut at the width (JSON has no spaces to break at), control
 * characters shown as escapes, the first 2,000 characters of a longer one.
 */
export function payloadLines(payload: string, columns: number, indent = '  '): string[] {
  const chars = [...printable(payload)];
  const shown = chars.slice(0, PAYLOAD_SHOWN_CHARS);
  const width = Math.max(20, columns - indent.length - 1);
  const lines: string[] = [];
  for (let i = 0; i < shown.length; i += width) lines.push(indent + shown.slice(i, i + width).join(''));
  if (chars.length > shown.length)
    lines.push(`${indent}… (${Buffer.byteLength(payload)} bytes in all, every one in the saved file)`);
  return lines;
}

/** The patterns recognised across checks, one `smoke: …` line each. */
export function patternLines(report: SmokeReport): string[] {
  return report.patterns.map((p) => `smoke: ${p.message}`);
}

/** The terminal's live line while `check` starts, `done` of `total` having finished. */
export function progressLine(
  check: Pick<SmokeCheck, 'id'>,
  done: number,
  total: number,
  failedSoFar: number,
  c: Palette,
): string {
  const failed = failedSoFar ? c.red(`${failedSoFar} failed`) : '0 failed';
  return `[${done}/${total}] ${c.green(`${done - failedSoFar} passed`)} · ${failed} · ${check.id}…`;
}

export function totalsLine(report: SmokeReport): string {
  const verdict =
    report.stopped === 'interrupted'
      ? `interrupted, ${report.failed} of ${report.checks.length} checks failed`
      : report.ok
        ? 'all checks passed'
        : `${report.failed} of ${report.checks.length} checks failed`;
  const more = [
    report.warned ? `, ${report.warned} with warnings` : '',
    report.notRun ? `, ${report.notRun} not run` : '',
  ].join('');
  return `smoke: ${verdict} (${report.passed} passed, ${report.failed} failed${more} in ${formatDuration(report.durationMs)}) against ${report.url}`;
}

/** The terminal summary: checks grouped, failures explained beneath them, totals last. */
export function humanSummary(report: SmokeReport, c: Palette, columns = 100): string {
  const lines = [c.bold(`Smoke run against ${report.url}`), ''];
  const width = Math.max(...report.checks.map((r) => displayName(r).length));
  for (const group of GROUP_ORDER) {
    const results = report.checks.filter((r) => r.group === group);
    if (results.length === 0) continue;
    lines.push(c.bold(group));
    for (const r of results) {
      const paint = { PASS: c.green, WARN: c.yellow, FAIL: c.red, SKIP: c.dim }[verdictOf(r)];
      const mark = paint({ PASS: '✓', WARN: '!', FAIL: '✗', SKIP: '-' }[verdictOf(r)]);
      lines.push(
        `  ${mark} ${displayName(r).padEnd(width)}  ${paint(statusOf(r).padEnd(7))} ${c.dim(formatDuration(r.latencyMs))}`,
      );
      if (!r.passed)
        lines.push(...wrapWords(printable(r.reason), columns - 1, '      ').map((l) => `      ${paint(l.slice(6))}`));
      if (r.payload !== undefined) lines.push(...payloadLines(r.payload, columns, '      ').map((l) => c.dim(l)));
      for (const w of r.warnings) lines.push(`      ${c.yellow(printable(w))}`);
    }
    lines.push('');
  }
  for (const p of report.patterns) lines.push(c.bold(c.red(`▲ ${p.message}`)));
  if (report.patterns.length > 0) lines.push('');
  lines.push(report.ok ? c.green(`✓ ${totalsLine(report)}`) : c.red(`✗ ${totalsLine(report)}`));
  return lines.join('\n');
}

/** Delivery checks read best as the event type; the probes as what they check. */
function displayName(r: CheckResult): string {
  return r.group === 'delivery' ? r.id.slice('delivery.'.length) : r.title;
}

/** `--json`: snake_case like the rest of the tool's JSON. */
export function reportJson(report: SmokeReport) {
  return {
    ok: report.ok,
    url: report.url,
    events: report.events,
    timeout_ms: report.timeoutMs,
    started_at: report.startedAt.toISOString(),
    duration_ms: report.durationMs,
    receiver_reachable: report.receiverReachable,
    unreachable: report.unreachable ?? null,
    total: report.checks.length,
    passed: report.passed,
    failed: report.failed,
    warned: report.warned,
    not_run: report.notRun,
    stopped: report.stopped ?? null,
    interrupted: report.stopped === 'interrupted',
    patterns: report.patterns.map((p) => ({ id: p.id, message: p.message })),
    diagnosis: report.diagnosis ? diagnosisJson(report.diagnosis) : null,
    checks: report.checks.map((r) => ({
      id: r.id,
      group: r.group,
      title: r.title,
      expect: r.expect,
      verdict: verdictOf(r).toLowerCase(),
      passed: r.passed,
      not_run: r.notRun,
      reason: r.reason,
      warnings: r.warnings,
      latency_ms: r.latencyMs,
      ...(r.payload === undefined ? {} : { payload: r.payload }),
      exchanges: r.exchanges.map((e) => ({
        label: e.label,
        event: e.event,
        delivery_id: e.deliveryId,
        status: e.status,
        duration_ms: e.durationMs,
        error: e.error,
      })),
    })),
  };
}

/**
 * `--junit`: one suite per group, one case per check; a failure carries the reason and the
 * answers, a warning goes to the case's `<system-out>`, a check not run is `<skipped>`, and the
 * patterns recognised go to the first suite's `<system-out>`.
 */
export function reportJUnit(report: SmokeReport): string {
  const suites: JUnitSuite[] = GROUP_ORDER.map((group) => ({
    name: `webhooks-cli smoke: ${group}`,
    timestamp: report.startedAt,
    properties: { url: report.url, timeout_ms: String(report.timeoutMs) },
    cases: report.checks
      .filter((r) => r.group === group)
      .map((r) => ({
        name: r.title,
        classname: `smoke.${r.id}`,
        timeSeconds: r.latencyMs / 1000,
        timestamp: r.startedAt,
        skipped: r.notRun ? r.reason : undefined,
        failure:
          r.passed || r.notRun ? undefined : { message: r.reason, type: failureType(r), details: failureDetails(r) },
        systemOut: r.warnings.length > 0 ? r.warnings.map((w) => `warning: ${w}`).join('\n') : undefined,
      })),
  })).filter((s) => s.cases.length > 0);
  if (suites[0] && report.patterns.length > 0) suites[0].systemOut = patternLines(report).join('\n');
  return junitXml('webhooks-cli smoke', suites);
}

function failureType(r: CheckResult): string {
  if (r.id === PROCESSED_COUNT_ID) return 'processed-count';
  if (r.exchanges.length === 0) return 'not-run';
  const noAnswer = r.exchanges.find((e) => e.status === null);
  return noAnswer ? (noAnswer.errorCode ?? 'no-answer') : 'status';
}

function failureDetails(r: CheckResult): string {
  const lines = [r.reason, '', `expected: ${r.expect}`];
  for (const e of r.exchanges) {
    lines.push(
      `${e.label}: ${e.event} ${e.deliveryId} → ${e.status ?? e.error ?? 'no answer'} (${formatDuration(e.durationMs)})`,
    );
    if (e.responseExcerpt) lines.push(`  response: ${e.responseExcerpt}`);
  }
  if (r.payload !== undefined) lines.push('', 'payload:', r.payload);
  return lines.join('\n');
}
