// The exit codes of SPEC; src/errors.ts re-exports them.

export const EXIT_OK = 0;
/** The operation failed: a delivery not 2xx, a failed check, an API error. */
export const EXIT_FAILED = 1;
/** The command was called wrongly: unknown event, bad flag. */
export const EXIT_USAGE = 2;
