/**
 * HMAC-SHA256 webhook signatures over the exact raw body, as the platform sends them:
 * `X-Webhook-Signature: sha256=<hex>`. Verification never throws, whatever it is handed.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_PREFIX = 'sha256=';
const SIGNATURE_FORMAT = /^sha256=[0-9a-f]{64}$/i;

export type Body = string | Uint8Array;

/** A new signing secret, `whsec_` and 32 URL-safe characters (24 random bytes), as the platform issues them. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** `sha256=<lower-case hex>` of HMAC-SHA256(key = UTF-8 secret, message = body bytes). */
export function sign(body: Body, secret: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(body).digest('hex');
}

export type VerificationFailure = 'missing' | 'malformed' | 'mismatch' | 'no-secret';

export type Verification =
  | { valid: true; secretIndex: number }
  | { valid: false; reason: VerificationFailure; message: string };

/**
 * Checks `header` against the body signed with each of `secrets` (several are accepted at
 * once so a secret can be rotated). Constant-time comparison of the 32 digest bytes.
 */
export function verify(body: Body, header: string | string[] | undefined, secrets: readonly string[]): Verification {
  if (Array.isArray(header)) header = header[0];
  if (header === undefined || header === '') {
    return { valid: false, reason: 'missing', message: 'no X-Webhook-Signature header' };
  }
  if (typeof header !== 'string' || !SIGNATURE_FORMAT.test(header)) {
    return { valid: false, reason: 'malformed', message: `signature is not of the form sha256=<64 hex digits>` };
  }
  if (secrets.length === 0) {
    return { valid: false, reason: 'no-secret', message: 'no secret configured to verify with' };
  }
  const received = Buffer.from(header.slice(SIGNATURE_PREFIX.length), 'hex');
  for (let i = 0; i < secrets.length; i++) {
    const expected = createHmac('sha256', secrets[i]!).update(body).digest();
    if (timingSafeEqual(expected, received)) return { valid: true, secretIndex: i };
  }
  return { valid: false, reason: 'mismatch', message: 'signature does not match the body with any configured secret' };
}

export interface SignatureDiagnosis {
  verification: Verification;
  received: string | undefined;
  /** The signature each secret would have produced, masked unless asked otherwise. */
  expected: string[];
  /** Likely causes, in plain words, most likely first. */
  hints: string[];
}

/**
 * Explains a verification result for a person: what was expected, what arrived, and the
 * usual culprits (a re-serialised body, stray whitespace in the secret, a missing prefix).
 * Slower than `verify`; call it only to report a failure.
 */
export function diagnose(
  body: Body,
  header: string | string[] | undefined,
  secrets: readonly string[],
): SignatureDiagnosis {
  const received = Array.isArray(header) ? header[0] : header;
  const verification = verify(body, received, secrets);
  const expected = secrets.map((s) => sign(body, s));
  const hints: string[] = [];
  if (verification.valid) return { verification, received, expected, hints };

  if (verification.reason === 'missing') {
    hints.push('the sender did not sign the request: send the X-Webhook-Signature header');
  }
  if (verification.reason === 'malformed' && typeof received === 'string') {
    const bare = received.trim();
    if (/^[0-9a-f]{64}$/i.test(bare)) hints.push('the value lacks the "sha256=" prefix');
    else if (bare !== received && SIGNATURE_FORMAT.test(bare)) hints.push('the value has surrounding whitespace');
    else if (/^sha1=/i.test(bare)) hints.push('this is a SHA-1 signature; the platform signs with HMAC-SHA256');
    else if (/^sha256=[0-9a-f]+$/i.test(bare))
      hints.push(`the hex digest has ${bare.length - SIGNATURE_PREFIX.length} digits, not 64 (truncated?)`);
  }
  if (verification.reason === 'mismatch' && typeof received === 'string') {
    for (const secret of secrets) {
      const trimmed = secret.trim();
      if (trimmed !== secret && sign(body, trimmed).toLowerCase() === received.toLowerCase()) {
        hints.push('the sender signed with the secret without its surrounding whitespace: trim the secret');
      }
    }
    const reserialisedSecret = findReserialisation(body, received, secrets);
    if (reserialisedSecret) {
      hints.push(
        `the body was re-serialised after signing (${reserialisedSecret}): verify the raw bytes as received, before any JSON parsing`,
      );
    }
    if (hints.length === 0) hints.push("the secret differs from the sender's, or the body was changed in transit");
  }
  return { verification, received, expected, hints };
}

/** If a differently formatted copy of the same JSON matches, names the formatting. */
function findReserialisation(body: Body, received: string, secrets: readonly string[]): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
  // Named for what the sender signed: the same JSON formatted another way.
  const variants: Array<[string, string]> = [
    ['the sender signed it compact', JSON.stringify(value)],
    ['the sender signed it pretty-printed with 2 spaces', JSON.stringify(value, null, 2)],
    ['the sender signed it pretty-printed with 4 spaces', JSON.stringify(value, null, 4)],
    ['the sender signed it with a trailing newline', `${JSON.stringify(value)}\n`],
  ];
  const original = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  for (const [name, text] of variants) {
    if (text === original) continue;
    if (secrets.some((s) => sign(text, s).toLowerCase() === received.toLowerCase())) return name;
  }
  return undefined;
}

/** `sha256=1a2b…9f` — enough to compare by eye, never the whole value. */
export function abbreviateSignature(signature: string): string {
  return signature.length > 20 ? `${signature.slice(0, 13)}…${signature.slice(-4)}` : signature;
}
