/**
 * better-sqlite3 without its native module: installed with `--ignore-scripts`, or built for a Node
 * that has since been upgraded. Both show up only when a database is opened, as a long loader
 * message (the `bindings` package's list of the dozen paths it tried, or dlopen's words); this
 * turns them into one line naming what is missing and the command that builds it.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { UserError } from '../errors.js';

/** The one-line error when `err` is a failed load of better-sqlite3's native module, else undefined. */
export function missingNativeModule(err: unknown): UserError | undefined {
  const message = (err as Error | undefined)?.message ?? '';
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  let what: string;
  if (
    /^Could not locate the bindings file/.test(message) ||
    Array.isArray((err as { tries?: unknown } | undefined)?.tries)
  )
    what = `has no native module built for this Node.js (${process.version})`;
  else if (code === 'ERR_DLOPEN_FAILED' && /better_sqlite3\.node/.test(message)) {
    const versions = /NODE_MODULE_VERSION (\d+)[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(message);
    what = versions
      ? `has a native module built for another Node.js (module version ${versions[1]}; Node.js ${process.version} needs ${versions[2]})`
      : `has a native module that cannot be loaded (${loaderReason(message)})`;
  } else return undefined;
  const folder = installFolder();
  return new UserError(`the SQLite module better-sqlite3 ${what}`, {
    hint: `run \`npm rebuild better-sqlite3\`${folder ? ` in ${folder}` : ''} to build it (an install with --ignore-scripts or a Node.js upgrade leaves it unbuilt)`,
    cause: err,
  });
}

/** dlopen's own reason, the last part of its message on one line: "invalid ELF header". */
function loaderReason(message: string): string {
  return message.split(':').at(-1)!.trim().replace(/\s+/g, ' ');
}

/** The folder whose node_modules holds better-sqlite3, where `npm rebuild` finds it. */
function installFolder(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('better-sqlite3');
    const marker = `${sep}node_modules${sep}better-sqlite3${sep}`;
    const at = entry.lastIndexOf(marker);
    return at >= 0 ? entry.slice(0, at) : dirname(entry);
  } catch {
    return undefined;
  }
}
