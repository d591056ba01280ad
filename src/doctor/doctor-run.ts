/**
 * `doctor`'s work, without any printing: sends the probe signed as the platform signs it, then —
 * rejected — under each hypothesis in turn (a few at a time, no more once one is accepted), or —
 * accepted — with a wrong and a missing signature, and judges the answers. Every request is a
 * real delivery with a fresh id, recorded through `record` as the doctor's. At most
 * `MAX_DOCTOR_REQUESTS` go out.
 */
import { newDeliveryId } from '../core/delivery-id.js';
import { isSuccessStatus } from '../core/http-status.js';
import { webhookHeaders } from '../core/webhook-request.js';
import { sendRequest } from '../delivery/http-sender.js';
import { sentRecord } from '../delivery/sent-record.js';
import { agentFor, type RoutedAgent } from '../http/node-agent.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { type Experiment, planExperiments } from './experiments.js';
import { buildProbe, DEFAULT_PROBE_EVENT } from './probe-body.js';
import { type Diagnosis, judge, type Trial } from './verdict.js';

export interface DoctorOptions {
  url: string;
  secret: string;
  /** The event type of the probe (default catalog.product.created). */
  event?: string;
  timeoutMs: number;
  userAgent: string;
  /** Called with every request sent and its answer (the history). */
  record?: (record: DeliveryRecord) => void;
  /** Experiments in flight at once (default 4). */
  concurrency?: number;
  /** The run's environment: its HTTP_PROXY / HTTPS_PROXY / NO_PROXY route the requests. */
  env?: NodeJS.ProcessEnv;
  now?: Date;
  /** Ends the run: no request starts, those in flight end as "interrupted". */
  signal?: AbortSignal;
}

export interface DoctorReport extends Diagnosis {
  url: string;
  event: string;
}

/** The most requests one diagnosis sends: the baseline and every distinct hypothesis. */
export const MAX_DOCTOR_REQUESTS = 21;
const DEFAULT_CONCURRENCY = 4;

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const event = options.event ?? DEFAULT_PROBE_EVENT;
  const probe = buildProbe(event, options.now);
  const plan = planExperiments(probe, options.secret);
  // A fresh connection per request, as the platform makes them: a receiver that closes a
  // kept-alive socket between experiments would otherwise look like a failure of the next one.
  const route = await agentFor(options.url, options.env ?? {}, { keepAlive: false });
  const send = (experiment: Experiment) => trial(experiment, probe.body, event, route, options);
  try {
    const baseline = await send(plan.baseline);
    const rejected = baseline.status !== null && !isSuccessStatus(baseline.status);
    const notTheSignature = rejected && [301, 302, 303, 307, 308, 404, 405].includes(baseline.status!);
    const acceptsAnything =
      baseline.status !== null && !rejected ? await Promise.all(plan.acceptsAnything.map(send)) : [];
    const hypotheses =
      rejected && !notTheSignature
        ? await untilAccepted(plan.hypotheses, send, options.concurrency ?? DEFAULT_CONCURRENCY, options.signal)
        : [];
    return { url: options.url, event, ...judge({ baseline, acceptsAnything, hypotheses }) };
  } finally {
    route.agent.destroy();
  }
}

/** Sends `experiments` `concurrency` at a time, in order, starting none once one is accepted. */
async function untilAccepted(
  experiments: readonly Experiment[],
  send: (experiment: Experiment) => Promise<Trial>,
  concurrency: number,
  signal?: AbortSignal,
): Promise<Trial[]> {
  const trials: Trial[] = new Array(experiments.length);
  let next = 0;
  let found = false;
  const worker = async () => {
    while (next < experiments.length && !found && !signal?.aborted) {
      const index = next++;
      const t = await send(experiments[index]!);
      trials[index] = t;
      if (t.status !== null && isSuccessStatus(t.status)) found = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, experiments.length) }, worker));
  return trials.filter(Boolean);
}

async function trial(
  experiment: Experiment,
  body: Buffer,
  event: string,
  { agent, proxy }: RoutedAgent,
  options: DoctorOptions,
): Promise<Trial> {
  const deliveryId = newDeliveryId();
  const headers = {
    ...webhookHeaders({ event, deliveryId, body, userAgent: options.userAgent }),
    ...experiment.signature,
  };
  const createdAt = Date.now();
  const result = await sendRequest({
    url: options.url,
    headers,
    body,
    timeoutMs: options.timeoutMs,
    agent,
    proxy,
    signal: options.signal,
  });
  options.record?.(
    sentRecord({ source: 'doctor', createdAt, event, deliveryId, url: options.url, headers, body }, result),
  );
  const server = [result.headers?.server, result.headers?.['x-powered-by']].flat().filter(Boolean).join(' ');
  return {
    experiment,
    deliveryId,
    status: result.status ?? null,
    ...(result.error ? { error: result.error } : {}),
    ...(server ? { server } : {}),
  };
}
