/**
 * One error taxonomy. A `UserError` is something the user can fix: it carries a one-line
 * message, the next step, and the exit code. Anything else reaching the entry point is a bug.
 */

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

import { parseHttpUrl } from './core/http-url.js';
import { EXIT_FAILED, EXIT_USAGE } from './exit-codes.js';

export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_FAILED;
  }
}

export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: EXIT_USAGE });
    this.name = 'UsageError';
  }
}

/** The http(s) URL given to `flag`; anything else is a usage error naming the flag, with an example. */
export function requireHttpUrl(value: string, flag: string, exampleUrl = 'http://127.0.0.1:3000/webhook'): URL {
  const url = parseHttpUrl(value);
  if (url instanceof URL) return url;
  throw new UsageError(
    `${flag} ${url.reason}`,
    url.suggestion ? `did you mean ${flag} ${url.suggestion}?` : `e.g. ${flag} ${exampleUrl}`,
  );
}

/** Words for a file-system error on `path`, with the usual fix. */
export function fileSystemError(err: unknown, path: string, what: string, fix: string): UserError {
  return new UserError(`cannot ${what} ${path}: ${fileSystemReason(err)}`, { hint: fix, cause: err });
}

/** A file-system error in a few words: "permission denied", "a parent is not a directory". */
export function fileSystemReason(err: unknown): string {
  const { code, syscall } = (err as NodeJS.ErrnoException | undefined) ?? {};
  // mkdir -p says EEXIST when a folder on the way exists as a file.
  if (code === 'ENOTDIR' || (code === 'EEXIST' && syscall === 'mkdir')) return 'a parent is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error | undefined)?.message ?? String(err);
}

/**
 * Why a server (`listen`, `serve`, `relay`) could not listen on `host:port`, in one wording for
 * all three: a port in use, a port that needs privileges, an address that is not this machine's.
 */
export function listenError(err: unknown, host: string, port: number): UserError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new UserError(`port ${port} on ${host} is already in use`, {
      hint: 'stop the other process or pass --port <another>',
      cause: err,
    });
  if (code === 'EACCES')
    return new UserError(`no permission to listen on port ${port}`, { hint: 'pass --port 1024 or higher', cause: err });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UserError(`cannot listen on ${host}: not an address of this machine`, {
      hint: 'pass --host 127.0.0.1',
      cause: err,
    });
  return new UserError(`cannot listen on ${host}:${port}: ${(err as Error | undefined)?.message ?? String(err)}`, {
    hint: 'pass --port or --host with other values',
    cause: err,
  });
}
