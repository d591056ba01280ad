import { describe, expect, it } from 'vitest';
import { countCases, escapeAttribute, escapeText, type JUnitSuite, junitXml } from '../../src/smoke/junit-report.js';
import { parseJUnit } from '../helpers/junit-xml.js';

const suites: JUnitSuite[] = [
  {
    name: 'delivery',
    timestamp: new Date('2026-01-02T03:04:05.678Z'),
    properties: { url: 'http://127.0.0.1:3000/webhook?a=1&b=2' },
    cases: [
      { name: 'passes', classname: 'smoke.a', timeSeconds: 0.0123 },
      {
        name: 'fails',
        classname: 'smoke.b',
        timeSeconds: 1.5,
        failure: { message: 'answered 200', type: 'status', details: 'line one\nline two' },
      },
    ],
  },
  {
    name: 'signature',
    cases: [
      { name: 'skipped one', classname: 'smoke.c', timeSeconds: 0, skipped: 'not run' },
      {
        name: 'times out',
        classname: 'smoke.d',
        timeSeconds: 0.25,
        failure: { message: 'no answer within 250 ms', type: 'timeout' },
      },
    ],
  },
];

describe('junitXml', () => {
  it('counts tests, failures, skipped and time per suite and in total', () => {
    const doc = parseJUnit(junitXml('run', suites));
    expect(doc.attrs).toMatchObject({
      name: 'run',
      tests: '4',
      failures: '2',
      errors: '0',
      skipped: '1',
      time: '1.762',
    });
    expect(doc.suites.map((s) => s.attrs)).toEqual([
      {
        name: 'delivery',
        id: '0',
        tests: '2',
        failures: '1',
        errors: '0',
        skipped: '0',
        time: '1.512',
        timestamp: '2026-01-02T03:04:05',
      },
      { name: 'signature', id: '1', tests: '2', failures: '1', errors: '0', skipped: '1', time: '0.250' },
    ]);
    expect(doc.suites[0]!.properties).toEqual({ url: 'http://127.0.0.1:3000/webhook?a=1&b=2' });
  });

  it('writes each case with its classname, time, failure or skip', () => {
    const [delivery, signature] = parseJUnit(junitXml('run', suites)).suites;
    expect(delivery!.cases[0]).toEqual({
      attrs: { name: 'passes', classname: 'smoke.a', time: '0.012' },
      failure: null,
      skipped: null,
    });
    expect(delivery!.cases[1]!.failure).toEqual({
      attrs: { message: 'answered 200', type: 'status' },
      text: 'line one\nline two',
    });
    expect(signature!.cases[0]!.skipped).toEqual({ attrs: { message: 'not run' } });
    expect(signature!.cases[0]!.failure).toBeNull();
    // Without details, the message is the failure's text too.
    expect(signature!.cases[1]!.failure!.text).toBe('no answer within 250 ms');
  });

  it('round-trips hostile text through a real XML parser', () => {
    const hostile = `<b>"quoted" & 'single' ]]> </testcase>\ttab\nnewline`;
    const doc = parseJUnit(
      junitXml(hostile, [
        {
          name: hostile,
          cases: [
            {
              name: hostile,
              classname: hostile,
              timeSeconds: 1,
              failure: { message: hostile, type: hostile, details: hostile },
            },
          ],
        },
      ]),
    );
    const testCase = doc.suites[0]!.cases[0]!;
    expect(doc.attrs.name).toBe(hostile);
    expect(doc.suites[0]!.attrs.name).toBe(hostile);
    expect(testCase.attrs.name).toBe(hostile);
    expect(testCase.failure).toEqual({ attrs: { message: hostile, type: hostile }, text: hostile });
  });

  it('replaces characters XML 1.0 cannot carry, so a binary response body never breaks the file', () => {
    const binary = 'a\u0000b\u001bc\u0007d\ud800e\uffffé€😀';
    const doc = parseJUnit(
      junitXml('run', [
        {
          name: 's',
          cases: [
            {
              name: binary,
              classname: 'c',
              timeSeconds: 0,
              failure: { message: binary, type: 'status', details: binary },
            },
          ],
        },
      ]),
    );
    const expected = 'a\ufffdb\ufffdc\ufffdd\ufffde\ufffdé€😀';
    expect(doc.suites[0]!.cases[0]!.attrs.name).toBe(expected);
    expect(doc.suites[0]!.cases[0]!.failure!.text).toBe(expected);
  });

  it('writes an empty run as a valid document', () => {
    expect(parseJUnit(junitXml('empty', [])).attrs).toMatchObject({ tests: '0', failures: '0', time: '0.000' });
  });
});

describe('escaping', () => {
  it('escapes markup in text and quotes and whitespace in attributes', () => {
    expect(escapeText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(escapeAttribute(`"x"\n'y'\t`)).toBe('&quot;x&quot;&#10;&apos;y&apos;&#9;');
  });

  it('counts a skipped case as skipped, not failed', () => {
    expect(
      countCases([{ name: 'x', classname: 'c', timeSeconds: 0, skipped: 'why', failure: { message: 'm', type: 't' } }]),
    ).toEqual({ tests: 1, failures: 0, skipped: 1, timeSeconds: 0 });
  });
});
