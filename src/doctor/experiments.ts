/**
 * The doctor's experiments: the probe, sent with the signature a receiver would expect under one
 * hypothesis of what it does wrong. A receiver that verifies HMAC over `T(body)` accepts a
 * delivery signed over `T(body)`; one that keys the HMAC with `f(secret)` accepts one signed with
 * `f(secret)`; one that reads another header or format accepts the signature written so. The body
 * is the same probe every time, so only the hypothesis differs. Pure: the plan, no I/O.
 */
import { createHmac } from 'node:crypto';
import { SIGNATURE_PREFIX, sign } from '../core/signature.js';
import { type JsonStack, writeAs } from './json-stacks.js';
import type { Probe } from './probe-body.js';

/** Every answer the doctor can give (SPEC's doctor cause ids). */
export const CAUSE_IDS = [
  'ok',
  'accepts-anything',
  'reserialised-compact',
  'reserialised-python',
  'reserialised-python-sorted',
  'reserialised-python-compact',
  'reserialised-php',
  'reserialised-go',
  'reserialised-dotnet',
  'body-decoded-latin1',
  'body-trimmed',
  'secret-whitespace',
  'secret-base64',
  'secret-prefix',
  'signature-no-prefix',
  'signature-base64',
  'signature-header',
  'wrong-secret',
  'unreachable',
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

/** The causes an accepted experiment can prove (the rest are read from the whole run). */
export type HypothesisId = Exclude<CauseId, 'ok' | 'accepts-anything' | 'wrong-secret' | 'unreachable'>;

export interface Experiment {
  /** `baseline` (signed as the platform signs), a hypothesis, or one of the two accepts-anything probes. */
  hypothesis: HypothesisId | 'baseline' | 'wrong-signature' | 'no-signature';
  /** What the receiver is taken to do, in words: "json.dumps(json.loads(body))". */
  label: string;
  /** For a re-serialisation: the stack whose bytes were signed. */
  stack?: JsonStack;
  /** The signature headers to send (lower-case names); an empty object sends none. */
  signature: Record<string, string>;
}

/** What each re-serialising stack computes its HMAC over, in its own words. */
export const STACK_LABELS: Record<JsonStack, string> = {
  javascript: 'JSON.stringify(JSON.parse(body)) (Express, Fastify, Hono, any Node.js receiver)',
  ruby: "Ruby's JSON.parse(body).to_json, or Java Jackson's writeValueAsString(readTree(body))",
  python: "Python's json.dumps(json.loads(body)) (the default separators, ASCII escapes)",
  'python-sorted': "Python's json.dumps(…, sort_keys=True), or Flask's flask.json.dumps(request.json)",
  'python-compact': 'Python\'s json.dumps(…, separators=(",", ":")) (compact, but ASCII-escaped)',
  php: "PHP's json_encode(json_decode($body)) (\\/ and \\uXXXX escapes)",
  go: "Go's json.Marshal of the map[string]interface{} it decoded (sorted keys, \\u003c \\u0026)",
  dotnet: "System.Text.Json's JsonSerializer.Serialize of the parsed body (\\u00E9 \\u003C escapes)",
};

const STACK_CAUSE: Record<JsonStack, HypothesisId> = {
  javascript: 'reserialised-compact',
  ruby: 'reserialised-compact',
  python: 'reserialised-python',
  'python-sorted': 'reserialised-python-sorted',
  'python-compact': 'reserialised-python-compact',
  php: 'reserialised-php',
  go: 'reserialised-go',
  dotnet: 'reserialised-dotnet',
};

/** The order stacks are tried in: the most common mistakes first. */
const STACKS: readonly JsonStack[] = [
  'python',
  'javascript',
  'python-compact',
  'python-sorted',
  'php',
  'go',
  'ruby',
  'dotnet',
];

export interface DoctorPlan {
  baseline: Experiment;
  /** Sent when the baseline is accepted: does the receiver verify at all? */
  acceptsAnything: Experiment[];
  /** Sent when the baseline is rejected, in this order; distinct signatures only. */
  hypotheses: Experiment[];
}

const header = (value: string) => ({ 'x-webhook-signature': value });
const hmac = (body: Buffer | string, key: string | Buffer) => createHmac('sha256', key).update(body).digest();
/** A secret the platform could not have used: the real one reversed and marked. */
const otherSecret = (secret: string) => `not-${[...secret].reverse().join('')}`;

export function planExperiments(probe: Probe, secret: string): DoctorPlan {
  const body = probe.body;
  const bodyText = body.toString('utf8');
  const baseline: Experiment = {
    hypothesis: 'baseline',
    label: 'HMAC of the raw body with the secret, as the platform signs',
    signature: header(sign(body, secret)),
  };
  const candidates: Experiment[] = [
    ...STACKS.map(
      (stack): Experiment => ({
        hypothesis: STACK_CAUSE[stack],
        label: STACK_LABELS[stack],
        stack,
        signature: header(sign(writeAs(stack, probe.value), secret)),
      }),
    ),
    {
      hypothesis: 'body-decoded-latin1',
      label: 'the body decoded as Latin-1 and encoded back as UTF-8',
      signature: header(sign(Buffer.from(body.toString('latin1'), 'utf8'), secret)),
    },
    {
      hypothesis: 'body-trimmed',
      label: 'the body trimmed of its surrounding whitespace',
      signature: header(sign(bodyText.trim(), secret)),
    },
    ...secretExperiments(body, secret),
    {
      hypothesis: 'signature-no-prefix',
      label: 'the hex digest without "sha256="',
      signature: header(hmac(body, secret).toString('hex')),
    },
    {
      hypothesis: 'signature-base64',
      label: 'the digest in base64, after "sha256="',
      signature: header(SIGNATURE_PREFIX + hmac(body, secret).toString('base64')),
    },
    {
      hypothesis: 'signature-base64',
      label: 'the digest in base64, without a prefix',
      signature: header(hmac(body, secret).toString('base64')),
    },
    {
      hypothesis: 'signature-header',
      label: "the signature in X-Hub-Signature-256 (GitHub's header)",
      signature: { 'x-hub-signature-256': sign(body, secret) },
    },
    {
      hypothesis: 'signature-header',
      label: 'the signature in X-Signature',
      signature: { 'x-signature': sign(body, secret) },
    },
  ];
  // A probe without some feature (no text, no float) signs two hypotheses alike: send it once.
  const seen = new Set([JSON.stringify(baseline.signature)]);
  const hypotheses = candidates.filter((e) => {
    const key = JSON.stringify(e.signature);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    baseline,
    acceptsAnything: [
      {
        hypothesis: 'wrong-signature',
        label: 'signed with another secret',
        signature: header(sign(body, otherSecret(secret))),
      },
      { hypothesis: 'no-signature', label: 'no signature at all', signature: {} },
    ],
    hypotheses,
  };
}

const STANDARD_WEBHOOKS_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The secret as receivers commonly mangle it: with whitespace, base64-decoded, its prefix stripped. */
function secretExperiments(body: Buffer, secret: string): Experiment[] {
  const keyed = (label: string, key: string | Buffer, hypothesis: HypothesisId): Experiment => ({
    hypothesis,
    label,
    signature: header(SIGNATURE_PREFIX + hmac(body, key).toString('hex')),
  });
  const experiments = [
    keyed('the secret with a trailing newline (read from a file)', `${secret}\n`, 'secret-whitespace'),
    keyed('the secret with a trailing CR LF (a file saved on Windows)', `${secret}\r\n`, 'secret-whitespace'),
    keyed('the secret with a trailing space', `${secret} `, 'secret-whitespace'),
  ];
  if (secret.trim() !== secret && secret.trim() !== '')
    experiments.push(keyed('the secret without its surrounding whitespace', secret.trim(), 'secret-whitespace'));
  const bare = secret.startsWith(STANDARD_WEBHOOKS_PREFIX) ? secret.slice(STANDARD_WEBHOOKS_PREFIX.length) : secret;
  if (bare.length >= 8 && BASE64.test(bare))
    experiments.push(
      keyed(
        `the secret${bare === secret ? '' : ' after "whsec_"'} base64-decoded (the Standard Webhooks habit)`,
        Buffer.from(bare, 'base64'),
        'secret-base64',
      ),
    );
  if (bare !== secret && bare !== '')
    experiments.push(keyed('the secret without its "whsec_" prefix', bare, 'secret-prefix'));
  return experiments;
}
