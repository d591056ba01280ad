/**
 * Reads a JUnit XML document back with an independent, standard XML parser (Python's
 * xml.etree.ElementTree, present wherever node-gyp is) so the tests do not trust our own writer's
 * idea of XML. A document that is not well-formed makes this throw.
 */
import { spawnSync } from 'node:child_process';

export interface ParsedCase {
  attrs: Record<string, string>;
  failure: { attrs: Record<string, string>; text: string } | null;
  skipped: { attrs: Record<string, string> } | null;
}

export interface ParsedSuite {
  attrs: Record<string, string>;
  properties: Record<string, string>;
  cases: ParsedCase[];
}

export interface ParsedJUnit {
  attrs: Record<string, string>;
  suites: ParsedSuite[];
}

const READER = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
assert root.tag == 'testsuites', root.tag
def case(c):
    f = c.find('failure'); s = c.find('skipped')
    return {'attrs': dict(c.attrib),
            'failure': None if f is None else {'attrs': dict(f.attrib), 'text': f.text or ''},
            'skipped': None if s is None else {'attrs': dict(s.attrib)}}
out = {'attrs': dict(root.attrib), 'suites': [
  {'attrs': dict(s.attrib),
   'properties': {p.get('name'): p.get('value') for p in s.findall('properties/property')},
   'cases': [case(c) for c in s.findall('testcase')]} for s in root.findall('testsuite')]}
sys.stdout.write(json.dumps(out))
`;

export function parseJUnit(xml: string | Buffer): ParsedJUnit {
  const run = spawnSync('python3', ['-c', READER], { input: xml, encoding: 'utf8', timeout: 10_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`not well-formed JUnit XML: ${run.stderr.trim().split('\n').pop()}`);
  return JSON.parse(run.stdout) as ParsedJUnit;
}
