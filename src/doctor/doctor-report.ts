/** A diagnosis in the shapes its readers print: one line, the detail of each request, JSON. Pure. */
import { redactUrl } from '../core/redact.js';
import type { Diagnosis } from './verdict.js';

/** `reserialised-python: your receiver computes … — fix: …`, or `ok: …`. */
export function diagnosisLine(d: Pick<Diagnosis, 'cause' | 'summary' | 'fix' | 'verdict'>): string {
  const head = `${d.cause ?? 'not the signature'}: ${d.summary}`;
  return d.verdict === 'ok' ? head : `${head} — fix: ${d.fix}`;
}

/** One line per request sent: its answer, what it tested, its delivery id (`--verbose`). */
export function triedLines(d: Pick<Diagnosis, 'tried'>): string[] {
  return d.tried.map(
    (t) =>
      `  ${String(t.status ?? '---').padEnd(4)} ${t.experiment.hypothesis.padEnd(28)} ${t.experiment.label}  ${t.deliveryId}${t.error ? `  (${t.error})` : ''}`,
  );
}

/** The SPEC's object: verdict, cause, summary, fix, tried; and where and what was probed. */
export function diagnosisJson(d: Diagnosis & { url?: string; event?: string }) {
  return {
    verdict: d.verdict,
    cause: d.cause,
    summary: d.summary,
    fix: d.fix,
    tried: d.tried.map((t) => ({
      hypothesis: t.experiment.hypothesis,
      label: t.experiment.label,
      status: t.status,
      delivery_id: t.deliveryId,
      ...(t.error ? { error: t.error } : {}),
    })),
    ...(d.url === undefined ? {} : { url: redactUrl(d.url) }),
    ...(d.event === undefined ? {} : { event: d.event }),
    requests: d.tried.length,
  };
}
