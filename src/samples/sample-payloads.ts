/** Reads the sample envelopes shipped in `fixtures/events/`. */
import { readFileSync } from 'node:fs';
import type { Envelope } from '../core/payload.js';
import { packageFile } from '../package-files.js';

const FIXTURES = packageFile('fixtures/events/');

/** The sample envelope of a known event type, parsed afresh (callers may modify it). */
export function loadSampleEnvelope(type: string): Envelope {
  return JSON.parse(readFileSync(new URL(`${type}.json`, FIXTURES), 'utf8')) as Envelope;
}
