/**
 * Recognisable receiver bugs, named from a run's results: a pattern across several checks says
 * more than each failure alone ("accepts everything" rather than three failed signature checks).
 * Pure: results in, lines out.
 */
import { isSuccessStatus } from '../core/http-status.js';
import { diagnosisLine } from '../doctor/doctor-report.js';
import type { Diagnosis } from '../doctor/verdict.js';
import type { StopReason } from './check-runner.js';
import type { CheckResult } from './check-verdict.js';
import { NON_ASCII_DIAGNOSIS } from './raw-body-checks.js';

export interface ReceiverPattern {
  id: 'doctor' | 'catch-all' | 'wrong-secret' | 'non-ascii' | 're-serialised' | 'not-answering-in-time' | 'bail';
  message: string;
}

export const CATCH_ALL =
  "accepts everything — likely a catch-all handler answering 200 (the platform document's error-handling example does this): verify before the try block";

export const WRONG_SECRET =
  'every signed delivery was answered 401 — the receiver verifies with another secret than --secret, or its secret has stray whitespace (a trailing newline from a file or variable): trim it';

export function detectPatterns(
  results: readonly CheckResult[],
  stopped?: StopReason,
  notRunReason?: string,
): ReceiverPattern[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const statusOf = (id: string) => byId.get(id)?.exchanges[0]?.status ?? null;
  const patterns: ReceiverPattern[] = [];

  if (
    ['signature.wrong', 'signature.missing', 'robustness.non-json-body'].every((id) => isSuccessStatus(statusOf(id)))
  ) {
    patterns.push({ id: 'catch-all', message: CATCH_ALL });
  }
  const deliveries = results.filter((r) => r.group === 'delivery' && !r.notRun);
  const all401 =
    deliveries.length > 0 &&
    deliveries.every((r) => r.exchanges.length > 0 && r.exchanges.every((e) => e.status === 401));
  if (all401) patterns.push({ id: 'wrong-secret', message: WRONG_SECRET });
  else if (deliveries.every((r) => r.passed) && statusOf('raw-body.non-ascii') === 401) {
    patterns.push({ id: 'non-ascii', message: `401 only on non-ASCII text: ${NON_ASCII_DIAGNOSIS}` });
  }
  const reSerialised = results.find(
    (r) => r.group === 'raw-body' && r.reason.startsWith('verifies a re-serialised body'),
  );
  if (reSerialised) patterns.push({ id: 're-serialised', message: reSerialised.reason });
  if (stopped && notRunReason)
    patterns.push({ id: stopped === 'bail' ? 'bail' : 'not-answering-in-time', message: notRunReason });
  return patterns;
}

/** The patterns that guess at why signatures fail; the doctor's verdict replaces them. */
const SIGNATURE_GUESSES: ReadonlySet<ReceiverPattern['id']> = new Set([
  'catch-all',
  'wrong-secret',
  'non-ascii',
  're-serialised',
]);

/**
 * Whether signature checks failed: a valid delivery or a raw-body form rejected with a 4xx, or a
 * bad signature accepted. Then smoke runs the doctor, rather than guess from the statuses.
 */
export function signatureChecksFailed(results: readonly CheckResult[]): boolean {
  return results.some((r) => {
    if (r.passed || r.notRun) return false;
    const statuses = r.exchanges.map((e) => e.status).filter((s): s is number => s !== null);
    if (r.group === 'signature') return statuses.some(isSuccessStatus);
    return (r.group === 'delivery' || r.group === 'raw-body') && statuses.some((s) => s >= 400 && s < 500);
  });
}

/**
 * The patterns with the doctor's verdict first: once it found a cause, the guesses go; whatever
 * it found, "another secret" stays only if the doctor reached that (or a secret with whitespace).
 */
export function withDiagnosis(
  patterns: readonly ReceiverPattern[],
  diagnosis: Diagnosis | undefined,
): ReceiverPattern[] {
  if (!diagnosis) return [...patterns];
  const secretConfirmed = diagnosis.cause === 'wrong-secret' || diagnosis.cause === 'secret-whitespace';
  const found = diagnosis.verdict === 'broken' && diagnosis.cause !== null;
  const kept = patterns.filter((p) =>
    found ? !SIGNATURE_GUESSES.has(p.id) : p.id !== 'wrong-secret' || secretConfirmed,
  );
  if (!found) return kept;
  return [{ id: 'doctor', message: `doctor: ${diagnosisLine(diagnosis)}` }, ...kept];
}
