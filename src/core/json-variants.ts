/**
 * The same JSON value written in other, equally valid ways: each parses to exactly what the
 * compact form parses to, yet its bytes differ from `JSON.stringify(JSON.parse(body))`. A receiver
 * that verifies the signature over a re-serialised body accepts the compact form and rejects
 * these — the commonest webhook bug, since the platform's own examples are pretty-printed.
 */

export type JsonVariant = 'pretty-printed' | 'key-order' | 'number-format' | 'unicode-escapes' | 'trailing-newline';

export const JSON_VARIANTS: readonly JsonVariant[] = [
  'pretty-printed',
  'key-order',
  'number-format',
  'unicode-escapes',
  'trailing-newline',
];

/** How each variant completes "rejected the same payload …". */
export const VARIANT_PHRASE: Record<JsonVariant, string> = {
  'pretty-printed': 'pretty-printed',
  'key-order': 'with its keys in another order',
  'number-format': 'with numbers like 89.90 and 1.0',
  'unicode-escapes': 'with \\u00e9 escapes and \\/',
  'trailing-newline': 'with a trailing newline',
};

interface Style {
  indent?: string;
  reverseKeys?: boolean;
  number?: (n: number) => string;
  string?: (s: string) => string;
}

const STYLES: Record<Exclude<JsonVariant, 'trailing-newline'>, Style> = {
  'pretty-printed': { indent: '  ' },
  'key-order': { reverseKeys: true },
  'number-format': { number: paddedNumber },
  'unicode-escapes': { string: escapedString },
};

/** `value` written as `variant`; compare with `JSON.stringify(value)` to see whether it differs. */
export function writeJsonVariant(value: unknown, variant: JsonVariant): string {
  if (variant === 'trailing-newline') return `${JSON.stringify(value)}\n`;
  return write(value, STYLES[variant], '');
}

function write(value: unknown, style: Style, depth: string): string {
  if (typeof value === 'number') return style.number ? style.number(value) : JSON.stringify(value);
  if (typeof value === 'string') return style.string ? style.string(value) : JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = depth + (style.indent ?? '');
  const open = style.indent ? `\n${inner}` : '';
  const close = style.indent ? `\n${depth}` : '';
  const comma = style.indent ? `,\n${inner}` : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((v) => write(v, style, inner)).join(comma)}${close}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  if (style.reverseKeys) keys.reverse();
  const colon = style.indent ? ': ' : ':';
  const entries = keys.map(
    (k) => `${write(k, style, inner)}${colon}${write((value as Record<string, unknown>)[k], style, inner)}`,
  );
  return `{${open}${entries.join(comma)}${close}}`;
}

/** `89.9` → `89.90`, `1` → `1.0`: the same number, as a database or a Python float prints it. */
function paddedNumber(n: number): string {
  const text = JSON.stringify(n);
  if (/[eE]/.test(text) || !Number.isFinite(n)) return text;
  return text.includes('.') ? `${text}0` : `${text}.0`;
}

/** Every non-ASCII character as `\uXXXX` and every `/` as `\/`, as PHP's json_encode writes them. */
function escapedString(s: string): string {
  return JSON.stringify(s)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}
