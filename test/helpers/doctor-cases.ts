/**
 * Diagnoses of real receivers for the doctor's tests: each case names a receiver route and the
 * cause the doctor must find; all of a file's diagnoses run at once, against receivers started
 * once for the file.
 */
import { expect } from 'vitest';
import type { DoctorReport } from '../../src/doctor/doctor-run.js';
import { MAX_DOCTOR_REQUESTS, runDoctor } from '../../src/doctor/doctor-run.js';
import type { CauseId } from '../../src/doctor/experiments.js';
import type { DeliveryRecord } from '../../src/store/delivery-record.js';

/** A Standard-Webhooks-shaped secret, so the base64 and prefix hypotheses are tried too. */
export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface Diagnosed {
  report: DoctorReport;
  records: DeliveryRecord[];
}

export async function diagnose(url: string, secret = SECRET, event?: string): Promise<Diagnosed> {
  const records: DeliveryRecord[] = [];
  const report = await runDoctor({
    url,
    secret,
    event,
    timeoutMs: 10_000,
    userAgent: 'webhooks-cli/test',
    record: (r) => records.push(r),
  });
  return { report, records };
}

/** The verdict `cause` for `d`, and a run that kept its promises: bounded, recorded, fresh ids. */
export function expectCause({ report, records }: Diagnosed, cause: CauseId): void {
  expect({ cause: report.cause, summary: report.summary }).toMatchObject({ cause });
  expect(report.verdict).toBe(cause === 'ok' ? 'ok' : cause === 'unreachable' ? 'unreachable' : 'broken');
  expect(report.tried.length).toBeLessThanOrEqual(MAX_DOCTOR_REQUESTS);
  expect(records).toHaveLength(report.tried.length);
  expect(records.every((r) => r.source === 'doctor' && r.direction === 'out')).toBe(true);
  expect(new Set(records.map((r) => r.deliveryId)).size).toBe(records.length);
}
