/**
 * Fixtures from traffic: `history export --fixtures DIR` writes each delivery's body byte for
 * byte as `DIR/<event>-<delivery id>.json` beside a `manifest.json`; `trigger --data DIR` and
 * `smoke --fixtures DIR` read such a folder back, in name order, bytes unchanged.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
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
  /** The recorded headers, without the signature (made afresh on every send) and credentials (`NOT_IN_MANIFEST`). */
  headers: HeaderMap;
}

/** Request headers the manifest leaves out: the signature, and credentials a sender may have sent along. */
const NOT_IN_MANIFEST: ReadonlySet<string> = new Set([
  'x-webhook-signature',
  'authorization',
  'proxy-authorization',
  'cookie',
]);

/** Parts of a file name are cut (and told apart by a hash) beyond this: every file system takes 255 bytes. */
const MAX_NAME_PART = 80;

/** Opened only if it does not exist yet, and never through a symbolic link. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

export interface Fixture {
  file: string;
  event: string;
  /** The exact bytes to send. */
  body: Buffer;
  /** Its manifest entry, when the folder has a manifest that names it. */
  recorded?: ManifestEntry;
}

/**
 * Writes the records' bodies and the manifest into `dir`, which must be new or empty (created
 * owner-only); returns the manifest, one entry per file written. No file is overwritten and no
 * symbolic link followed; two records whose names would be the same file (`dlv/x` and `dlv_x`, one
 * id recorded twice, a case-insensitive file system) get files of their own; a name too long for
 * a file system is cut, the whole id staying in the manifest.
 */
export function writeFixtures(records: Iterable<DeliveryRecord>, dir: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const taken = new Set<string>();
  try {
    prepareFolder(dir);
    for (const record of records) {
      const file = writeNewFile(dir, fixtureName(record, entries.length + 1), record.requestBody, taken);
      const headers = Object.fromEntries(
        Object.entries(record.requestHeaders).filter(([name]) => !NOT_IN_MANIFEST.has(name.toLowerCase())),
      );
      entries.push({
        file,
        delivery_id: record.deliveryId,
        event: record.event,
        status: record.status,
        signature_valid: record.signatureValid,
        headers,
      });
    }
    const manifest = Buffer.from(`${JSON.stringify({ fixtures: entries }, null, 2)}\n`);
    writeNewFile(dir, MANIFEST_FILE, manifest, taken, { exact: true });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = fileSystemError(err, dir, 'write to', 'pass --fixtures a folder you can write to');
    throw new UsageError(e.message, e.hint);
  }
  return entries;
}

/** Creates `dir` owner-only, whatever the umask; an existing one must be an empty folder. */
function prepareFolder(dir: string): void {
  let folder: ReturnType<typeof statSync>;
  try {
    folder = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return;
  }
  if (!folder.isDirectory()) throw new UsageError(`--fixtures ${dir} is not a folder`, 'pass a new or empty folder');
  if (readdirSync(dir).length > 0)
    throw new UsageError(
      `--fixtures ${dir} is not empty`,
      'pass a new or empty folder: an export never overwrites files (it may hold a previous export)',
    );
}

/**
 * Creates `name` in `dir` (O_EXCL, O_NOFOLLOW) with `data`, mode 0600; on a name taken (by this
 * export, or a file system that folds case) tries `name-2`, `name-3`… unless `exact`. Returns the name used.
 */
function writeNewFile(
  dir: string,
  name: string,
  data: Buffer,
  taken: Set<string>,
  { exact = false }: { exact?: boolean } = {},
): string {
  const dot = name.lastIndexOf('.');
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
    if (taken.has(candidate.toLowerCase())) {
      if (exact) throw new UsageError(`--fixtures ${dir}: ${name} is taken`, 'pass a new or empty folder');
      continue;
    }
    let fd: number;
    try {
      fd = openSync(join(dir, candidate), CREATE_NEW, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Already there (a link planted meanwhile included): never written through or over.
      if ((code === 'EEXIST' || code === 'ELOOP') && !exact) continue;
      throw err;
    }
    try {
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
    } finally {
      closeSync(fd);
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  }
}

/** `<event>-<delivery id>.json`, each part file-safe and cut to `MAX_NAME_PART`. */
function fixtureName(record: DeliveryRecord, position: number): string {
  return `${namePart(record.event ?? 'no-event')}-${namePart(record.deliveryId ?? `row-${record.id ?? position}`)}.json`;
}

/** A file name part: only the characters every file system takes; a long one cut, with a hash of the whole. */
function namePart(text: string): string {
  const safe = text.replace(/[^\w.-]/g, '_');
  if (safe.length <= MAX_NAME_PART) return safe;
  return `${safe.slice(0, MAX_NAME_PART - 13)}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
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
    const body = readRegularFile(dir, file, flag);
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
    text = readRegularFile(dir, MANIFEST_FILE, flag).toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
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

/**
 * A fixture's bytes, read only from a regular file in `dir`: a symbolic link is refused rather than
 * followed (O_NOFOLLOW), so a folder cannot send out whatever file its links point at.
 */
function readRegularFile(dir: string, file: string, flag: string): Buffer {
  let fd: number;
  try {
    fd = openSync(join(dir, file), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw symbolicLink(dir, file, flag);
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw symbolicLink(dir, file, flag);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function symbolicLink(dir: string, file: string, flag: string): UsageError {
  return new UsageError(
    `${flag} ${dir}: ${file} is not a regular file (a symbolic link?); fixtures are read only from files in the folder itself`,
    'copy the file into the folder instead of linking it',
  );
}

function eventInBody(body: Buffer): string | undefined {
  try {
    const event = (JSON.parse(body.toString('utf8')) as { event?: unknown }).event;
    return typeof event === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
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
