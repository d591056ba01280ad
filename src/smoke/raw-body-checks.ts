/**
 * Checks that the receiver verifies the raw bytes: valid, correctly signed payloads whose bytes
 * differ from `JSON.stringify(JSON.parse(body))` (pretty-printed as the platform document prints
 * them, other key order, `89.90`, `\u00e9`, a trailing newline), and one with non-ASCII text.
 * Everything smoke sends otherwise survives parse-and-stringify unchanged, so without these a
 * receiver that verifies a re-serialised body passes here and fails in production.
 */
import { JSON_VARIANTS, type JsonVariant, VARIANT_PHRASE, writeJsonVariant } from '../core/json-variants.js';
import { type Envelope, serialiseEnvelope } from '../core/payload.js';
import type { PlanContext, SmokeCheck } from './smoke-checks.js';

/** Appended to one text field of the probe: non-ASCII letters and a slash. */
export const NON_ASCII_TEXT = ' · édition été/hiver';

// Fields whose values are codes, not text: a receiver may validate their format.
const CODE_FIELD = /(^|_)(id|ids|sku|currency|hex|url|format|size)$|_at$/;

/** The envelope with `NON_ASCII_TEXT` added to its first free-text field of `data`. */
export function withNonAsciiText(envelope: Envelope): Envelope {
  const data = { ...envelope.data };
  const field = Object.keys(data).find((k) => typeof data[k] === 'string' && !CODE_FIELD.test(k));
  if (field) data[field] = `${data[field] as string}${NON_ASCII_TEXT}`;
  else data.note = `smoke${NON_ASCII_TEXT}`;
  return { ...envelope, data };
}

export function reSerialisedDiagnosis(variant: JsonVariant): string {
  return `verifies a re-serialised body, not the raw bytes: accepted the compact payload, rejected the same payload ${VARIANT_PHRASE[variant]} — verify the raw request body`;
}

export const NON_ASCII_DIAGNOSIS =
  "rejects only the payload with non-ASCII text: the body (or the secret) is not handled as UTF-8 bytes — HMAC the raw request body with the secret's UTF-8 bytes, never a string decoded as latin-1";

export function rawBodyChecks({ probe, envelopeOf, request }: PlanContext): SmokeCheck[] {
  const plain = envelopeOf(probe);
  const text = withNonAsciiText(plain);
  const compact = serialiseEnvelope(plain).toString('utf8');
  const nonAscii: SmokeCheck = {
    id: 'raw-body.non-ascii',
    group: 'raw-body',
    dependsOn: `delivery.${probe}`,
    title: 'a payload with non-ASCII text (UTF-8) is answered 2xx',
    expect: '2xx',
    requests: [request(`"${NON_ASCII_TEXT.trim()}" in the data, as UTF-8`, probe, serialiseEnvelope(text), 'valid')],
    hint: 'verify the raw bytes as received, with the secret encoded as UTF-8',
    rejectedMeans: NON_ASCII_DIAGNOSIS,
  };
  const variants = JSON_VARIANTS.flatMap((variant): SmokeCheck[] => {
    // The escapes need text to escape; the others reshape the plain probe.
    const source = variant === 'unicode-escapes' ? text : plain;
    const bytes = writeJsonVariant(source, variant);
    // A payload without numbers reads the same with padded numbers: nothing to check then.
    if (variant !== 'unicode-escapes' && bytes === compact) return [];
    return [
      {
        id: `raw-body.${variant}`,
        group: 'raw-body',
        dependsOn: variant === 'unicode-escapes' ? nonAscii.id : `delivery.${probe}`,
        title: `the payload ${VARIANT_PHRASE[variant]} is answered 2xx`,
        expect: '2xx',
        requests: [request(`the payload ${VARIANT_PHRASE[variant]}`, probe, Buffer.from(bytes, 'utf8'), 'valid')],
        hint: 'compute the HMAC over the raw request body, before parsing it',
        rejectedMeans: reSerialisedDiagnosis(variant),
      },
    ];
  });
  // The UTF-8 payload comes just before its escaped form, which depends on it.
  variants.splice(
    variants.findIndex((c) => c.id === 'raw-body.unicode-escapes'),
    0,
    nonAscii,
  );
  return variants;
}
