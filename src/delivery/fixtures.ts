/**
 * Fixtures from traffic: `history export --fixtures DIR` writes each delivery's body byte for
 * byte as `DIR/<event>-<delivery id>.json` beside a `manifest.json`; `trigger --data DIR` and
 * `smoke --fixtures DIR` read such a folder back, in name order, bytes unchanged.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError, UsageError } from '../errors.js';
import type { DeliveryRecord, HeaderMap } from '../store/delivery-record.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestEntry {
  file: string;
  delivery_id: string | null;
  event: string | null;
  /** What the receiver answered when it was recorded; `smoke --fixtures` expects its class again. */
  status: number | null;
  /** Whether its signature verified when captured: one that did not is sent with a wrong one again. */
  signature_valid: boolean | null;
  /** The recorded headers, without the signature (it is made afresh on every send). */
  headers: HeaderMap;
}

export interface Fixture {
  file: string;
  event: string;
  /** The exact bytes to send. */
  body: Buffer;
  /** Its manifest entry, when the folder has a manifest that names it. */
  recorded?: ManifestEntry;
}

/** Writes the records' bodies and the manifest into `dir` (created if needed); returns the manifest. */
export function writeFixtures(records: Iterable<DeliveryRecord>, dir: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    for (const record of records) {
      const file = `${safeName(record.event ?? 'no-event')}-${safeName(record.deliveryId ?? `row-${record.id ?? entries.length + 1}`)}.json`;
      writeFileSync(join(dir, file), record.requestBody);
      const { 'x-webhook-signature': _signature, ...headers } = record.requestHeaders;
      entries.push({
        file,
        delivery_id: record.deliveryId,
        event: record.event,
        status: record.status,
        signature_valid: record.signatureValid,
        headers,
      });
    }
    writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify({ fixtures: entries }, null, 2)}\n`);
  } catch (err) {
    const e = fileSystemError(err, dir, 'write to', 'pass --fixtures a folder you can write to');
    throw new UsageError(e.message, e.hint);
  }
  return entries;
}

/** Whether `--data` names a folder of fixtures rather than one file. */
export function isFixtureDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every `*.json` fixture in `dir` but the manifest, in name order; the event from the manifest, else the body. */
export function readFixtures(dir: string, flag: string): Fixture[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith('.json') && name !== MANIFEST_FILE)
      .sort();
  } catch (err) {
    const e = fileSystemError(err, dir, 'read', `check the folder given to ${flag}`);
    throw new UsageError(e.message, e.hint);
  }
  if (names.length === 0)
    throw new UsageError(
      `${flag} ${dir} holds no .json fixtures`,
      'write some with webhooks-cli history export --fixtures DIR',
    );
  const manifest = readManifest(dir, flag);
  return names.map((file) => {
    const body = readFileSync(join(dir, file));
    const recorded = manifest.get(file);
    const event = recorded?.event ?? eventInBody(body);
    if (!event)
      throw new UsageError(
        `${flag} ${dir}: ${file} names no event type`,
        `give it an "event" field, or list it in ${MANIFEST_FILE}`,
      );
    return { file, event, body, recorded };
  });
}

function readManifest(dir: string, flag: string): Map<string, ManifestEntry> {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return new Map(); // A folder of hand-written fixtures needs no manifest.
  }
  try {
    const entries = (JSON.parse(text) as { fixtures?: ManifestEntry[] }).fixtures ?? [];
    return new Map(entries.map((entry) => [entry.file, entry]));
  } catch (err) {
    throw new UsageError(
      `${flag} ${dir}: ${MANIFEST_FILE} is not valid JSON (${(err as Error).message})`,
      'fix it, or remove it to use the bodies alone',
    );
  }
}

function eventInBody(body: Buffer): string | undefined {
  try {
    const event = (JSON.parse(body.toString('utf8')) as { event?: unknown }).event;
    return typeof event === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}

/** A file name part: only the characters every file system takes. */
function safeName(text: string): string {
  return text.replace(/[^\w.-]/g, '_');
}

/** `trigger --data DIR`: every fixture of the folder in name order, its bytes sent unchanged (re-signed, a new delivery id each). */
export function fixtureDeliveries(
  dir: string,
  others: { types: readonly string[]; all?: boolean; set?: readonly string[]; pretty?: boolean },
): Array<{ event: string; body: Buffer }> {
  if (others.types.length || others.all || others.set?.length || others.pretty)
    throw new UsageError(
      `--data ${dir} is a folder of fixtures, which name their own events and are sent unchanged`,
      'drop the event types, --all, --set and --pretty, or give --data one file',
    );
  return readFixtures(dir, '--data').map(({ event, body }) => ({ event, body }));
}
