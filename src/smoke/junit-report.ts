/**
 * A JUnit XML writer: `<testsuites>` of `<testsuite>` of `<testcase>`, with `<failure>` and
 * `<skipped>`, in the dialect GitHub Actions reporters, GitLab and Jenkins read. Pure: data in,
 * a string out. Everything from outside (receiver answers, URLs) is escaped, and characters
 * that XML 1.0 cannot carry at all are replaced, so the file always parses.
 */

export interface JUnitFailure {
  /** One line: the `message` attribute. */
  message: string;
  /** A short category: the `type` attribute (e.g. `timeout`, `status`). */
  type: string;
  /** Free text: the element's content. */
  details?: string;
}

export interface JUnitCase {
  name: string;
  classname: string;
  timeSeconds: number;
  /** When the case started: its own, not the suite's. */
  timestamp?: Date;
  failure?: JUnitFailure;
  /** Why the case did not run; a skipped case has no failure. */
  skipped?: string;
  /** Free text for `<system-out>`: warnings of a passing case. */
  systemOut?: string;
}

export interface JUnitSuite {
  name: string;
  /** ISO-8601 time the suite started. */
  timestamp?: Date;
  properties?: Record<string, string>;
  cases: JUnitCase[];
  /** Free text for the suite's `<system-out>`. */
  systemOut?: string;
}

export interface JUnitCounts {
  tests: number;
  failures: number;
  skipped: number;
  timeSeconds: number;
}

export function countCases(cases: readonly JUnitCase[]): JUnitCounts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure && !c.skipped).length,
    skipped: cases.filter((c) => c.skipped !== undefined).length,
    timeSeconds: cases.reduce((sum, c) => sum + c.timeSeconds, 0),
  };
}

/** The whole document, `<?xml …?>` declaration included, ending in a newline. */
export function junitXml(name: string, suites: readonly JUnitSuite[]): string {
  const all = countCases(suites.flatMap((s) => s.cases));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({ name, tests: all.tests, failures: all.failures, errors: 0, skipped: all.skipped, time: seconds(all.timeSeconds) })}>`,
  ];
  suites.forEach((suite, id) => lines.push(...suiteLines(suite, id)));
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function suiteLines(suite: JUnitSuite, id: number): string[] {
  const c = countCases(suite.cases);
  const attrs = attributes({
    name: suite.name,
    id,
    tests: c.tests,
    failures: c.failures,
    errors: 0,
    skipped: c.skipped,
    time: seconds(c.timeSeconds),
    // JUnit's schema wants a local date-time without a zone; these are UTC.
    timestamp: suite.timestamp ? localDateTime(suite.timestamp).slice(0, 19) : undefined,
  });
  const lines = [`  <testsuite ${attrs}>`];
  const properties = Object.entries(suite.properties ?? {});
  if (properties.length > 0) {
    lines.push('    <properties>');
    for (const [key, value] of properties) lines.push(`      <property ${attributes({ name: key, value })}/>`);
    lines.push('    </properties>');
  }
  for (const testCase of suite.cases) lines.push(...caseLines(testCase));
  if (suite.systemOut) lines.push(`    <system-out>${escapeText(suite.systemOut)}</system-out>`);
  lines.push('  </testsuite>');
  return lines;
}

function caseLines(testCase: JUnitCase): string[] {
  const open = `    <testcase ${attributes({ name: testCase.name, classname: testCase.classname, time: seconds(testCase.timeSeconds), timestamp: testCase.timestamp && localDateTime(testCase.timestamp) })}`;
  const inner: string[] = [];
  if (testCase.skipped !== undefined) inner.push(`      <skipped ${attributes({ message: testCase.skipped })}/>`);
  else if (testCase.failure) {
    const { message, type, details } = testCase.failure;
    inner.push(`      <failure ${attributes({ message, type })}>${escapeText(details ?? message)}</failure>`);
  }
  if (testCase.systemOut) inner.push(`      <system-out>${escapeText(testCase.systemOut)}</system-out>`);
  return inner.length === 0 ? [`${open}/>`] : [`${open}>`, ...inner, '    </testcase>'];
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${escapeAttribute(String(v))}"`)
    .join(' ');
}

function seconds(value: number): string {
  return Math.max(0, value).toFixed(3);
}

// XML 1.0 allows tab, LF, CR and everything from U+0020 except lone surrogates, U+FFFE and U+FFFF.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Replaces characters XML 1.0 cannot represent (control bytes, lone surrogates) with U+FFFD. */
export function toXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Escapes element content. */
export function escapeText(text: string): string {
  return toXmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value; newlines and tabs become character references so they survive. */
export function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** JUnit's schema wants a local date-time without a zone; these are UTC, to the millisecond. */
function localDateTime(date: Date): string {
  return date.toISOString().slice(0, 23);
}
