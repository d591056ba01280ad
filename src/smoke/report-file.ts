/**
 * The file `smoke --junit` writes its report to: checked before the run (its folder created,
 * writable now, not after a long run), written at the end. Nothing here prints.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileSystemError, UsageError } from '../errors.js';

export interface ReportFile {
  /** The absolute path. */
  readonly path: string;
  write(text: string): void;
}

/** Creates the report's folder and checks it is writable; a folder or an unwritable place is a usage error. */
export function prepareReportFile(path: string): ReportFile {
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory())
    throw new UsageError(`--junit ${path} is a folder`, 'name a file, e.g. --junit reports/webhooks-smoke.xml');
  try {
    mkdirSync(dirname(full), { recursive: true });
    accessSync(dirname(full), constants.W_OK);
  } catch (err) {
    const e = fileSystemError(
      err,
      dirname(full),
      'write the JUnit report in',
      'pass --junit a path in a writable folder',
    );
    throw new UsageError(e.message, e.hint);
  }
  return {
    path: full,
    write(text) {
      try {
        writeFileSync(full, text);
      } catch (err) {
        throw fileSystemError(err, full, 'write the JUnit report to', 'pass --junit a writable file path');
      }
    },
  };
}
