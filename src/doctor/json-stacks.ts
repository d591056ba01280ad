/**
 * How common stacks write a JSON value they parsed: the bytes a receiver signs when it verifies
 * `serialise(parse(body))` instead of the body. Each writer reproduces its stack byte for byte on
 * the doctor's probe bodies (test/unit/json-stacks.test.ts runs the real python3, php, ruby, go
 * and node against them; .NET against recorded outputs). Pure.
 *
 * Numbers keep the text they were written with (`WrittenNumber`): whether `1.0` comes back as
 * `1.0` or `1` is exactly what tells Python and Ruby from JavaScript, PHP and Go.
 */

/** A number as the probe writes it: its value, and its exact text (`89.90`, `1.0`). */
export class WrittenNumber {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
  /** Written with a fraction or an exponent: a float to Python, Ruby and PHP. */
  get isFloat(): boolean {
    return /[.eE]/.test(this.text);
  }
}

/** A parsed JSON value whose numbers remember their text. Object keys keep their order. */
export type JsonValue = string | boolean | null | WrittenNumber | JsonValue[] | { [key: string]: JsonValue };

/** The stacks whose re-serialisation the doctor reproduces. */
export type JsonStack = 'javascript' | 'ruby' | 'python' | 'python-sorted' | 'python-compact' | 'php' | 'go' | 'dotnet';

interface Style {
  itemSeparator: string;
  keySeparator: string;
  sortKeys: boolean;
  number: (n: WrittenNumber) => string;
  string: (s: string) => string;
}

/** JSON.stringify's rule for a number, which Go's and PHP's shortest forms share in this range. */
const shortest = (n: WrittenNumber) => JSON.stringify(n.value);
/** Python's repr and Ruby's Float#to_s: a float stays a float (`1.0`), shortest digits otherwise. */
const floatKept = (n: WrittenNumber) =>
  n.isFloat && Number.isInteger(n.value) ? `${n.value}.0` : n.isFloat ? JSON.stringify(n.value) : n.text;
const COMPACT = { itemSeparator: ',', keySeparator: ':', sortKeys: false } as const;

const STYLES: Record<JsonStack, Style> = {
  // JSON.stringify(JSON.parse(body)): Express, Fastify, Hono, any Node receiver.
  javascript: { ...COMPACT, number: shortest, string: (s) => JSON.stringify(s) },
  // Ruby's JSON.parse(body).to_json, and Java's Jackson (readTree, writeValueAsString) alike.
  ruby: { ...COMPACT, number: floatKept, string: (s) => JSON.stringify(s) },
  // json.dumps(json.loads(body)): ", " and ": ", ensure_ascii.
  python: { itemSeparator: ', ', keySeparator: ': ', sortKeys: false, number: floatKept, string: asciiEscaped },
  // json.dumps(…, sort_keys=True), and Flask's own flask.json.dumps.
  'python-sorted': { itemSeparator: ', ', keySeparator: ': ', sortKeys: true, number: floatKept, string: asciiEscaped },
  // json.dumps(…, separators=(",", ":")): compact, but still ASCII-escaped.
  'python-compact': { ...COMPACT, number: floatKept, string: asciiEscaped },
  // json_encode(json_decode($body)): `\/`, `\uXXXX`, whole floats without `.0`.
  php: { ...COMPACT, number: (n) => (n.isFloat ? shortest(n) : n.text), string: phpEscaped },
  // json.Marshal of a map[string]interface{}: sorted keys, every number a float64, HTML escapes.
  go: { ...COMPACT, sortKeys: true, number: shortest, string: goEscaped },
  // System.Text.Json of a JsonElement or JsonNode: numbers as written, the default encoder's escapes.
  dotnet: { ...COMPACT, number: (n) => n.text, string: dotnetEscaped },
};

/** `value` as `stack` writes it back after parsing it. */
export function writeAs(stack: JsonStack, value: JsonValue): string {
  return write(value, STYLES[stack]);
}

/** `value` with every number as written: the probe's own bytes (compact). */
export function writeAsWritten(value: JsonValue): string {
  return write(value, { ...COMPACT, number: (n) => n.text, string: (s) => JSON.stringify(s) });
}

function write(value: JsonValue, style: Style): string {
  if (value instanceof WrittenNumber) return style.number(value);
  if (typeof value === 'string') return style.string(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => write(v, style)).join(style.itemSeparator)}]`;
  const keys = Object.keys(value);
  if (style.sortKeys) keys.sort(compareCodePoints);
  const entries = keys.map((k) => `${style.string(k)}${style.keySeparator}${write(value[k]!, style)}`);
  return `{${entries.join(style.itemSeparator)}}`;
}

/** Python's and Go's key order: by code point (UTF-16 order differs only past the BMP). */
function compareCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** `\u` and four hex digits of one UTF-16 code unit (a character past the BMP is two). */
const unicodeEscape = (unit: number, upper = false) => {
  const hex = unit.toString(16).padStart(4, '0');
  return `\\u${upper ? hex.toUpperCase() : hex}`;
};

/** Each UTF-16 code unit of `s` through `escape` (undefined: kept as it is), quoted. */
function quoted(s: string, escapeUnit: (char: string, unit: number) => string | undefined): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const char = s[i]!;
    out += escapeUnit(char, s.charCodeAt(i)) ?? char;
  }
  return `${out}"`;
}

/** Python's ensure_ascii: everything outside space..~ as `\uxxxx` (lower case). */
function asciiEscaped(s: string): string {
  return quoted(
    s,
    (char, unit) => SHORT_ESCAPES[char] ?? (unit < 0x20 || unit > 0x7e ? unicodeEscape(unit) : undefined),
  );
}

/** PHP's json_encode defaults: `\/`, and non-ASCII as `\uxxxx` (lower case). */
function phpEscaped(s: string): string {
  return quoted(s, (char, unit) => {
    if (char === '/') return '\\/';
    return SHORT_ESCAPES[char] ?? (unit < 0x20 || unit > 0x7f ? unicodeEscape(unit) : undefined);
  });
}

/** Go's encoding/json: `<` `>` `&` and U+2028/2029 escaped, other text raw. */
function goEscaped(s: string): string {
  return quoted(s, (char, unit) => {
    if (char === '<' || char === '>' || char === '&' || unit === 0x2028 || unit === 0x2029) return unicodeEscape(unit);
    if (char === '\b' || char === '\f') return unicodeEscape(unit);
    return SHORT_ESCAPES[char] ?? (unit < 0x20 ? unicodeEscape(unit) : undefined);
  });
}

// JavaScriptEncoder.Default: only printable ASCII passes, less the HTML-sensitive characters.
const DOTNET_HEX = new Set(['"', "'", '&', '+', '<', '>', '`']);

/** System.Text.Json's default encoder: `\u0022`, `\u003C`, non-ASCII as `\uXXXX` (upper case). */
function dotnetEscaped(s: string): string {
  return quoted(s, (char, unit) => {
    if (DOTNET_HEX.has(char)) return unicodeEscape(unit, true);
    return SHORT_ESCAPES[char] ?? (unit < 0x20 || unit > 0x7e ? unicodeEscape(unit, true) : undefined);
  });
}
